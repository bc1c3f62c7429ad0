// Helpers shared by the integration tests: building requests, finding the jflow binary, waiting
// for a condition with a deadline (never a bare sleep), and checking whether a process exists.
#pragma once

#include <chrono>
#include <csignal>
#include <functional>
#include <string>
#include <thread>

#include "jflow/flow.hpp"

namespace jflow::test {

inline Request text_request(const std::string& text, RequestType type = RequestType::index) {
  Request request;
  request.type = type;
  Document doc;
  doc.text = text;
  request.docs.push_back(std::move(doc));
  return request;
}

inline FlowOptions test_options() {
  FlowOptions options;
  options.jflow_executable = JFLOW_BINARY;
  return options;
}

// Polls the flow until `done()` or the deadline; returns whether done() became true.
inline bool poll_until(Flow& flow, const std::function<bool()>& done, Duration limit) {
  auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    flow.poll(std::chrono::milliseconds(20));
  }
  return true;
}

// True while a process with this pid exists (and is not a reaped zombie of ours).
inline bool process_exists(int pid) {
  return pid > 0 && ::kill(pid, 0) == 0;
}

inline std::string source_path(const std::string& relative) {
  return std::string(JFLOW_SOURCE_DIR) + "/" + relative;
}

}  // namespace jflow::test
