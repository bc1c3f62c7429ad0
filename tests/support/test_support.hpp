// Helpers shared by the integration tests: building requests, finding the jflow binary, waiting
// for a condition with a deadline (never a bare sleep), and checking whether a process exists.
#pragma once

#include <chrono>
#include <csignal>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "jflow/flow.hpp"
#include "jflow/flow_spec.hpp"

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
#if defined(__SANITIZE_THREAD__)
  // ThreadSanitizer slows a pea's stop (its exit runs the race detector's bookkeeping) past the
  // default 2 s grace on a loaded 2-core machine; the tests that check no pea was killed at
  // close mean "stopped when told", not "within 2 s".
  options.stop_grace = std::chrono::seconds(10);
#endif
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

// Calls the flow, one request at a time, until one is routed through `pea`; false if none is
// before `limit`. A restarted replica is reported running once it is wired, and its head counts
// it in only when its first credit arrives: a test of how requests are spread waits for that.
inline bool call_until_routed_through(Flow& flow, const std::string& pea, Duration limit) {
  auto give_up = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < give_up) {
    Response r = flow.call(text_request("probe for " + pea), limit);
    for (const Route& route : r.envelope.routes) {
      if (route.pea == pea) return true;
    }
  }
  return false;
}

// The close problems saying a pea was killed because it did not stop within the stop grace: what a
// close that waited on a pea, instead of stopping it, leaves behind.
inline std::vector<std::string> peas_killed_at_close(const Flow& flow) {
  std::vector<std::string> killed;
  for (const std::string& problem : flow.close_problems()) {
    if (problem.find("did not stop within") != std::string::npos) killed.push_back(problem);
  }
  return killed;
}

// True while a process with this pid exists (and is not a reaped zombie of ours).
inline bool process_exists(int pid) {
  return pid > 0 && ::kill(pid, 0) == 0;
}

inline std::string source_path(const std::string& relative) {
  return std::string(JFLOW_SOURCE_DIR) + "/" + relative;
}

// A flow file of the valid corpus (tests/flows/valid/).
inline std::string valid_flow_path(const std::string& name) {
  return source_path("tests/flows/valid/" + name);
}

// An empty environment (an EnvLookup): ${VAR} in a test's YAML never depends on the machine.
inline std::optional<std::string> no_env(const std::string&) {
  return std::nullopt;
}

// The first `count` verses of the hello-world corpus (flows/data/kjv.tsv), with their reference
// as id.
inline std::vector<Document> hello_verses(std::size_t count) {
  std::ifstream in(source_path("flows/data/kjv.tsv"));
  std::vector<Document> docs;
  std::string line;
  while (docs.size() < count && std::getline(in, line)) {
    const std::size_t tab = line.find('\t');
    Document doc;
    doc.id = line.substr(0, tab);
    doc.text = line.substr(tab + 1);
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace jflow::test
