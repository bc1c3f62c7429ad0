// bench_startup: how long a flow of 5 process pods takes to start, answer one request and close,
// against a raw libzmq chain of 5 forwarding processes started, crossed by one message and stopped
// (bench/raw_chain.hpp), alternating round by round in one run; then each idle pea's PSS and
// private memory (/proc/PID/smaps_rollup), the figure that says what one more pea costs.
//
//   build/bench/bench_startup [--pods 5] [--rounds 11] [--jflow PATH]
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include "jflow/codec.hpp"
#include "jflow/flow.hpp"
#include "jflow/flow_spec.hpp"
#include "measurement.hpp"
#include "raw_chain.hpp"

namespace jflow::bench {
namespace {

struct Options {
  std::size_t pods = 5;
  std::size_t rounds = 11;
  std::filesystem::path jflow_executable;
};

FlowSpec pass_flow(std::size_t pods) {
  FlowBuilder builder;
  builder.transport(Transport::tcp).host("127.0.0.1");
  for (std::size_t i = 1; i <= pods; ++i)
    builder.add("p" + std::to_string(i), "_pass", Runtime::process);
  return builder.build();
}

Request one_document() {
  Request request;
  Document doc;
  doc.id = "doc-0";
  doc.text = "hello";
  request.docs.push_back(std::move(doc));
  return request;
}

// Start, one request, close: the whole life of a short flow, in ms. Throws on any failure.
double flow_once(const Options& options, const FlowSpec& spec) {
  FlowOptions flow_options;
  flow_options.jflow_executable = options.jflow_executable;
  const auto began = BenchClock::now();
  Flow flow(spec, flow_options);
  flow.start();
  Response response = flow.call(one_document());
  if (!response.ok()) throw FlowError("request failed: " + response.status().message);
  flow.close();
  return std::chrono::duration<double, std::milli>(BenchClock::now() - began).count();
}

double raw_once(const Options& options) {
  const std::string envelope = encode_envelope(Envelope{});
  const std::string body = encode_body(one_document());
  const auto began = BenchClock::now();
  zmq::context_t context;
  RawChain chain(context, options.pods, std::filesystem::read_symlink("/proc/self/exe"));
  chain.run(envelope, body, 1, 1);
  chain.stop();
  return std::chrono::duration<double, std::milli>(BenchClock::now() - began).count();
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Pss and Private_* of a process in kB, from /proc/PID/smaps_rollup (0 when unreadable).
struct Memory {
  long rss_kb = 0;
  long pss_kb = 0;
  long private_kb = 0;
};

Memory memory_of(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/smaps_rollup");
  Memory m;
  std::string line;
  while (std::getline(in, line)) {  // "Pss:   3991 kB"; the first line names the range
    std::istringstream fields(line);
    std::string key;
    long value = 0;
    if (!(fields >> key >> value)) continue;
    if (key == "Rss:") m.rss_kb = value;
    if (key == "Pss:") m.pss_kb = value;
    if (key == "Private_Clean:" || key == "Private_Dirty:") m.private_kb += value;
  }
  return m;
}

int run_bench(const Options& options) {
  const FlowSpec spec = pass_flow(options.pods);
  flow_once(options, spec);  // warm-up: the page cache holds the binaries afterwards
  raw_once(options);
  std::vector<double> flow_ms, raw_ms;
  for (std::size_t round = 0; round < options.rounds; ++round) {
    if (round % 2 == 0) {
      raw_ms.push_back(raw_once(options));
      flow_ms.push_back(flow_once(options, spec));
    } else {
      flow_ms.push_back(flow_once(options, spec));
      raw_ms.push_back(raw_once(options));
    }
  }
  std::printf(
      "bench_startup: %zu process pods (_pass, tcp 127.0.0.1): start + 1 request + close;"
      " %zu rounds alternating with a raw chain of %zu processes; median and range\n",
      options.pods, options.rounds, options.pods);
  auto row = [](const char* system, const std::vector<double>& ms) {
    auto [lo, hi] = std::minmax_element(ms.begin(), ms.end());
    std::printf("  %-6s %8.1f ms  (%.1f .. %.1f)\n", system, median(ms), *lo, *hi);
  };
  row("raw", raw_ms);
  row("flow", flow_ms);
  std::printf("  flow/raw %6.2fx\n\n", median(flow_ms) / median(raw_ms));

  FlowOptions flow_options;
  flow_options.jflow_executable = options.jflow_executable;
  Flow flow(spec, flow_options);
  flow.start();
  flow.call(one_document());
  std::printf("idle peas (after start and one request):\n");
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pid <= 0) continue;
    Memory m = memory_of(pea.pid);
    std::printf("  %-4s RSS %6.1f MB  PSS %5.1f MB  private %5.1f MB\n", pea.pea.c_str(),
                m.rss_kb / 1024.0, m.pss_kb / 1024.0, m.private_kb / 1024.0);
  }
  flow.close();
  return 0;
}

}  // namespace
}  // namespace jflow::bench

int main(int argc, char** argv) {
  // A hop of the raw chain is this same binary, started by RawChain; it must not parse options.
  if (argc == 3 && argv[1] == jflow::bench::kRawHopFlag) return jflow::bench::run_raw_hop(argv[2]);

  jflow::bench::Options options;
  CLI::App app{"Benchmark: start-up of a flow of process pods, against a raw chain of processes"};
  app.add_option("--pods", options.pods, "pass-through process pods")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--rounds", options.rounds, "rounds; raw and flow alternate, the median is shown")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--jflow", options.jflow_executable,
                 "the jflow binary process peas run (default: found like FlowOptions does)");
  CLI11_PARSE(app, argc, argv);
  try {
    return jflow::bench::run_bench(options);
  } catch (const std::exception& e) {
    std::cerr << "bench_startup: " << e.what() << "\n";
    return 1;
  }
}
