// bench_chain: a 3-pod pass-through flow against a raw libzmq chain of the same 3 hops, in one run.
//
// Both systems run side by side in one process tree — flow peas and raw hops are separate
// processes joined by tcp on 127.0.0.1 — and alternate round by round, so machine noise (other
// load, cross-core wake-ups that cost 100–250 µs here) hits both alike and flow ÷ raw means
// something. The raw chain carries the same two frames per message as the flow (an envelope as the
// flow's gateway encodes it, and the body from jflow::encode_body) and forwards them unopened, as
// pass-through peas forward bodies: the ratio is the cost of jflow's envelope handling, its loop
// and its gateway (encoding requests, decoding replies, matching them to callers).
//
// With --metrics the run has a third system, the same flow with FlowOptions::metrics off ("flow
// -m"), in the same alternation, an "on/off" line, and the metrics registry's own CPU per request.
//
//   build-bench/bench/bench_chain [--requests N] [--window W] [--rounds R] [--metrics] [--help]
#include <time.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include "flow/flow_metrics.hpp"
#include "jflow/codec.hpp"
#include "jflow/flow.hpp"
#include "jflow/flow_spec.hpp"
#include "measurement.hpp"
#include "raw_chain.hpp"

// Every heap allocation this process makes (libjflow's too: the global operator new is replaced
// for the whole process), so the table can show the gateway's allocations per request.
std::atomic<std::size_t> g_allocations{0};

// GCC pairs a new-expression with the free() inside the replaced delete and warns of a mismatch;
// both sides are this file's malloc and free.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace jflow::bench {
namespace {

constexpr std::size_t kHops = 3;

struct Options {
  std::size_t requests = 20000;        // per round, 1-doc case; the 100-doc case sends a tenth
  std::size_t window = 64;             // requests in flight
  std::size_t rounds = 5;              // raw and flow alternate; the median round is reported
  std::size_t latency_samples = 1000;  // round trips with 1 request in flight
  std::size_t text_bytes = 64;
  std::filesystem::path jflow_executable;
  // Thread peas run the same pea loop inside this process: for profiling all of the flow in one
  // process (valgrind --tool=callgrind --separate-threads=yes); the default is process peas.
  bool thread_peas = false;
  bool one_case = false;          // only 1 doc per request at --window (what a profile looks at)
  std::size_t one_case_docs = 1;  // documents per request in that one case
  bool flow_only = false;         // no raw chain: a profile of this process is then all flow
  bool raw_only = false;          // no flow: to profile the raw chain (system calls, wake-ups)
  bool metrics_off_too = false;   // --metrics: also run the flow without metrics
};

Request make_request(std::size_t docs, std::size_t text_bytes) {
  Request request;
  for (std::size_t i = 0; i < docs; ++i) {
    Document doc;
    doc.id = "doc-" + std::to_string(i);
    doc.text = std::string(text_bytes, static_cast<char>('a' + i % 26));
    request.docs.push_back(std::move(doc));
  }
  return request;
}

// The envelope as the flow's gateway sends it: a request id shaped like the flow's
// (16 hex digits of flow id, '-', a counter), no routes yet.
Envelope gateway_envelope() {
  Envelope envelope;
  envelope.request_id = "0123456789abcdef-123456";
  return envelope;
}

// What the flow's envelope has grown to when it leaves the last pod: one route per pea.
std::size_t envelope_bytes_after_hops() {
  Envelope envelope = gateway_envelope();
  for (std::size_t i = 1; i <= kHops; ++i) {
    std::string name = "p" + std::to_string(i);
    envelope.routes.push_back({name, name, 1'700'000'000'000'000'000, 1'700'000'000'000'100'000});
  }
  return encode_envelope(envelope).size();
}

// Runs one timed batch through the flow. Any reply that is not an intact success stops the flow
// side of the benchmark with the flow's own error message: a benchmark of failures is meaningless.
Measurement run_flow(Flow& flow, const Request& request, std::size_t requests) {
  Measurement m;
  m.requests = requests;
  m.latencies_ns.reserve(requests);
  std::optional<std::string> failure;
  const std::size_t docs = request.docs.size();
  auto on_reply = [&m, &failure, docs](BenchClock::time_point sent, Response&& response) {
    m.latencies_ns.push_back(elapsed_ns(sent));
    if (failure) return;
    if (!response.ok()) {
      const Status& s = response.status();
      failure = std::string(status_code_name(s.code)) + " from pod '" + s.pod + "'" +
                (s.executor.empty() ? "" : " (" + s.executor + ")") + ": " + s.message;
    } else if (response.request.docs.size() != docs) {
      failure = "reply carried " + std::to_string(response.request.docs.size()) +
                " documents, sent " + std::to_string(docs);
    }
  };
  auto start = BenchClock::now();
  try {
    for (std::size_t i = 0; i < requests && !failure; ++i) {
      Request copy = request;  // a caller builds each request; the copy is part of the cost
      auto sent = BenchClock::now();
      flow.submit(std::move(copy),
                  [&on_reply, sent](Response&& response) { on_reply(sent, std::move(response)); });
    }
    flow.wait_all();
  } catch (...) {
    // The callbacks refer to this frame: end every request they belong to before it goes away.
    flow.close();
    throw;
  }
  m.seconds = std::chrono::duration<double>(BenchClock::now() - start).count();
  if (failure) throw FlowError(*failure);
  return m;
}

// Round trips one at a time: the latency of the path itself, without queueing behind a window.
Measurement run_flow_one_by_one(Flow& flow, const Request& request, std::size_t requests) {
  Measurement m;
  m.requests = requests;
  auto start = BenchClock::now();
  for (std::size_t i = 0; i < requests; ++i) {
    auto sent = BenchClock::now();
    Response response = flow.call(request);
    m.latencies_ns.push_back(elapsed_ns(sent));
    if (!response.ok()) throw FlowError(response.status().message);
  }
  m.seconds = std::chrono::duration<double>(BenchClock::now() - start).count();
  return m;
}

// What the gateway's metrics cost per request by themselves, in thread CPU time (steadier than
// wall time on a loaded machine): what the gateway records for one request of the 1-doc case —
// its send, its reply with one route per pea, its end.
double registry_ns_per_request(std::size_t requests) {
  detail::MetricsRegistry registry("bench");
  Envelope reply = gateway_envelope();
  for (std::size_t i = 1; i <= kHops; ++i) {
    std::string name = "p" + std::to_string(i);
    reply.routes.push_back({name, name, 1'700'000'000'000'000'000, 1'700'000'000'000'100'000});
  }
  const auto cpu_ns = [] {
    timespec t{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<std::int64_t>(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
  };
  const std::int64_t start = cpu_ns();
  for (std::size_t i = 0; i < requests; ++i) {
    registry.on_sent(134);
    registry.on_reply(reply, 1'700'000'000'000'000'000 - 1000, 209);
    registry.on_ended(RequestType::index, StatusCode::ok);
  }
  const double ns = static_cast<double>(cpu_ns() - start) / static_cast<double>(requests);
  if (registry.snapshot().accepted != requests) throw std::logic_error("registry lost counts");
  return ns;
}

// All rounds of one system on one case, reduced to the figures in the table.
struct Series {
  std::vector<double> rates;  // requests/s per round
  std::vector<std::int64_t> latencies_ns;
  std::optional<std::string> error;

  std::size_t requests = 0;
  std::int64_t client_cpu_ns = 0;
  std::int64_t hops_cpu_ns = 0;
  std::size_t allocations = 0;  // by this process while the rounds ran

  void add(Measurement&& m, std::size_t allocated) {
    rates.push_back(m.requests_per_second());
    allocations += allocated;
    requests += m.requests;
    client_cpu_ns += m.client_cpu_ns;
    hops_cpu_ns += m.hops_cpu_ns;
    latencies_ns.insert(latencies_ns.end(), m.latencies_ns.begin(), m.latencies_ns.end());
  }
  double median_rate() const {
    if (rates.empty()) return 0.0;
    std::vector<double> sorted = rates;
    std::sort(sorted.begin(), sorted.end());
    return sorted[sorted.size() / 2];
  }
  double client_cpu_us() const { return requests ? client_cpu_ns / 1000.0 / requests : 0.0; }
  double hops_cpu_us() const { return requests ? hops_cpu_ns / 1000.0 / requests : 0.0; }
  double allocations_per_request() const {
    return requests ? static_cast<double>(allocations) / static_cast<double>(requests) : 0.0;
  }
  // (max - min) / median over rounds: how much to trust the median.
  double spread() const {
    if (rates.size() < 2) return 0.0;
    auto [lo, hi] = std::minmax_element(rates.begin(), rates.end());
    return (*hi - *lo) / median_rate();
  }
};

// One line pair of the table: a request shape, how many requests, and how many in flight.
struct Case {
  std::size_t docs;
  std::size_t requests;
  std::size_t window;
  std::string body;
  Request request;
  Series raw;
  Series flow;
  Series flow_off;  // metrics off (--metrics only)
};

void print_row(const Case& c, const char* system, Series& s) {
  if (s.rates.empty() && !s.error) return;  // a side left out (--flow-only, --raw-only)
  std::printf("%8zu  %6zu  %-8s", c.docs, c.window, system);
  if (s.error) {
    std::printf("  FAILED: %s\n", s.error->c_str());
    return;
  }
  double rate = s.median_rate();
  std::printf("  %9.0f  %10.0f  %7.0f  %7.0f  %5.0f%%  %7.1f  %7.1f  %7.1f\n", rate,
              rate * static_cast<double>(c.docs), quantile_us(s.latencies_ns, 0.50),
              quantile_us(s.latencies_ns, 0.99), 100.0 * s.spread(), s.client_cpu_us(),
              s.hops_cpu_us(), s.allocations_per_request());
}

// Throughput as flow/raw (higher is better, 1.0 = as fast as raw libzmq); latency as flow/raw
// too (lower is better). With --metrics also on/off: the flow with metrics over the flow without.
void print_ratio(const Case& c, Series& flow, Series& raw, const char* name) {
  if (flow.error || raw.error || flow.rates.empty() || raw.median_rate() == 0.0) return;
  auto ratio = [](double a, double b) { return b > 0.0 ? a / b : 0.0; };
  double rate = ratio(flow.median_rate(), raw.median_rate());
  std::printf("%8zu  %6zu  %-8s  %8.3fx  %9.3fx  %6.2fx  %6.2fx  %6s  %6.2fx  %6.2fx\n", c.docs,
              c.window, name, rate, rate,
              ratio(quantile_us(flow.latencies_ns, 0.50), quantile_us(raw.latencies_ns, 0.50)),
              ratio(quantile_us(flow.latencies_ns, 0.99), quantile_us(raw.latencies_ns, 0.99)), "",
              ratio(flow.client_cpu_us(), raw.client_cpu_us()),
              ratio(flow.hops_cpu_us(), raw.hops_cpu_us()));
}

std::vector<pid_t> flow_pids(const Flow& flow) {
  std::vector<pid_t> pids;
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pid > 0) pids.push_back(pea.pid);
  }
  return pids;
}

std::unique_ptr<Flow> start_flow(const Options& options, bool metrics) {
  FlowOptions flow_options;
  flow_options.metrics = metrics;
  flow_options.max_in_flight = options.window;
  flow_options.jflow_executable = options.jflow_executable;
  FlowBuilder builder;
  builder.transport(Transport::tcp).host("127.0.0.1");
  for (std::size_t i = 1; i <= kHops; ++i)
    builder.add("p" + std::to_string(i), "_pass",
                options.thread_peas ? Runtime::thread : Runtime::process);
  auto flow = std::make_unique<Flow>(builder.build(), flow_options);
  flow->start();
  return flow;
}

int run_bench(const Options& options) {
  const std::string envelope = encode_envelope(gateway_envelope());
  // The 100-document case sends a tenth of the requests: ten times the documents, and about the
  // same wall time as the 1-document case, so neither dominates the run.
  std::vector<Case> cases;
  auto add_case = [&](std::size_t docs, std::size_t requests, std::size_t window) {
    Request request = make_request(docs, options.text_bytes);
    cases.push_back({docs, requests, window, encode_body(request), std::move(request), {}, {}, {}});
  };
  add_case(options.one_case ? options.one_case_docs : 1, options.requests, options.window);
  if (!options.one_case) {
    add_case(100, std::max(options.requests / 10, options.window), options.window);
    add_case(1, options.latency_samples, 1);  // the path's own latency, without queueing
  }

  zmq::context_t context;
  std::optional<RawChain> raw;
  if (!options.flow_only)
    raw.emplace(context, kHops, std::filesystem::read_symlink("/proc/self/exe"));
  struct FlowSide {
    std::unique_ptr<Flow> flow;
    std::optional<std::string> error;
  };
  auto start_side = [&options](bool metrics) {
    FlowSide side;
    try {
      side.flow = start_flow(options, metrics);
    } catch (const std::exception& e) {
      side.error = std::string("flow start: ") + e.what();
    }
    return side;
  };
  // The default: what a flow does unless told. --raw-only leaves it unstarted (no error row).
  FlowSide with_metrics = options.raw_only ? FlowSide{} : start_side(true);
  FlowSide without_metrics;
  if (options.metrics_off_too) without_metrics = start_side(false);

  // A flow failure ends that flow's side only (with the flow's own message); the rest still print.
  auto flow_run = [&](FlowSide& side, Case& c, std::size_t requests, Series* into) {
    std::unique_ptr<Flow>& flow = side.flow;
    std::optional<std::string>& flow_error = side.error;
    if (!flow) {
      if (into) into->error = flow_error;
      return;
    }
    try {
      CpuMeter cpu(flow_pids(*flow));
      const std::size_t allocated_before = g_allocations.load();
      Measurement m = c.window == 1 ? run_flow_one_by_one(*flow, c.request, requests)
                                    : run_flow(*flow, c.request, requests);
      cpu.stop(m);
      if (into) into->add(std::move(m), g_allocations.load() - allocated_before);
    } catch (const std::exception& e) {
      flow_error = e.what();
      if (into) into->error = flow_error;
      flow->close();
      flow.reset();
    }
  };
  auto raw_run = [&](Case& c, std::size_t requests, Series* into) {
    if (!raw) return;
    CpuMeter cpu(raw->pids());
    const std::size_t allocated_before = g_allocations.load();
    Measurement m = raw->run(envelope, c.body, requests, c.window);
    cpu.stop(m);
    if (into) into->add(std::move(m), g_allocations.load() - allocated_before);
  };

  for (Case& c : cases) {
    const std::size_t warmup = std::max<std::size_t>(c.window, c.requests / 20);
    // Each system runs `n` requests, counted in its series when `measured` (not a warm-up).
    std::vector<std::function<void(bool, std::size_t)>> systems{
        [&](bool measured, std::size_t n) { raw_run(c, n, measured ? &c.raw : nullptr); },
        [&](bool measured, std::size_t n) {
          flow_run(with_metrics, c, n, measured ? &c.flow : nullptr);
        }};
    if (options.metrics_off_too) {
      systems.push_back([&](bool measured, std::size_t n) {
        flow_run(without_metrics, c, n, measured ? &c.flow_off : nullptr);
      });
    }
    for (auto& system : systems) system(false, warmup);
    for (std::size_t round = 0; round < options.rounds; ++round) {
      // Rotating who goes first keeps a drift in machine load from favouring any side.
      for (std::size_t i = 0; i < systems.size(); ++i)
        systems[(round + i) % systems.size()](true, c.requests);
    }
  }
  for (FlowSide* side : {&with_metrics, &without_metrics}) {
    if (side->flow) side->flow->close();
  }
  if (raw) raw->stop();

  std::printf(
      "bench_chain: %zu pass-through hops, each a process, tcp 127.0.0.1; %zu rounds, "
      "raw and flow alternating; median round shown; spread = (max-min)/median\n",
      kHops, options.rounds);
  std::printf("requests per round:");
  for (const Case& c : cases)
    std::printf(" %zu (%zu doc%s, window %zu)", c.requests, c.docs, c.docs == 1 ? "" : "s",
                c.window);
  std::printf("\n");
  std::printf(
      "frames: envelope %zu B at the gateway (the flow's grows to %zu B by the last pea), "
      "body %zu B (1 doc) / %zu B (100 docs), %zu-byte texts\n\n",
      envelope.size(), envelope_bytes_after_hops(), cases[0].body.size(),
      encode_body(make_request(100, options.text_bytes)).size(), options.text_bytes);
  std::printf("%8s  %6s  %-8s  %9s  %10s  %7s  %7s  %6s  %16s  %7s\n", "", "", "", "", "", "", "",
              "", "cpu us/request", "client");
  std::printf("%8s  %6s  %-8s  %9s  %10s  %7s  %7s  %6s  %7s  %7s  %7s\n", "docs/req", "window",
              "system", "req/s", "docs/s", "p50 us", "p99 us", "spread", "client", "hops",
              "allocs");
  for (Case& c : cases) {
    print_row(c, "raw", c.raw);
    print_row(c, "flow", c.flow);
    print_ratio(c, c.flow, c.raw, "flow/raw");
    if (options.metrics_off_too) {
      print_row(c, "flow -m", c.flow_off);
      print_ratio(c, c.flow, c.flow_off, "on/off");
    }
  }
  if (options.metrics_off_too) {
    const double ns = registry_ns_per_request(1'000'000);
    const Case& one = cases[0];
    std::printf(
        "\nmetrics alone: %.0f ns of CPU per request (the registry's calls for one "
        "request of %zu hops, 1M times); the 1-doc flow used %.1f us of client CPU and "
        "%.1f us of peas' CPU per request without metrics: %.1f%% and %.1f%% of all\n",
        ns, kHops, one.flow_off.client_cpu_us(), one.flow_off.hops_cpu_us(),
        100.0 * ns / 1000.0 / one.flow_off.client_cpu_us(),
        100.0 * ns / 1000.0 / (one.flow_off.client_cpu_us() + one.flow_off.hops_cpu_us()));
  }
  int failed = 0;
  for (FlowSide* side : {&with_metrics, &without_metrics}) {
    if (!side->error) continue;
    std::printf("\nflow side failed: %s\n", side->error->c_str());
    failed = 1;
  }
  return failed;
}

}  // namespace
}  // namespace jflow::bench

int main(int argc, char** argv) {
  // A hop of the raw chain is this same binary, started by RawChain; it must not parse options.
  if (argc == 3 && argv[1] == jflow::bench::kRawHopFlag) return jflow::bench::run_raw_hop(argv[2]);

  jflow::bench::Options options;
  CLI::App app{"Benchmark: a 3-pod pass-through jflow flow against a raw libzmq chain of 3 hops"};
  app.add_option("--requests", options.requests,
                 "requests per round in the 1-doc case (the 100-doc case sends a tenth)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--window", options.window, "requests in flight")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--rounds", options.rounds, "rounds; raw and flow alternate, the median is shown")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--latency-samples", options.latency_samples,
                 "round trips with one request in flight")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--text-bytes", options.text_bytes, "bytes of text per document")
      ->capture_default_str();
  app.add_flag("--metrics", options.metrics_off_too,
               "also run the flow with FlowOptions::metrics off, and print metrics on/off");
  app.add_option("--jflow", options.jflow_executable,
                 "the jflow binary process peas run (default: found like FlowOptions does)");
  app.add_flag("--one-case", options.one_case,
               "only the 1-document case at --window (for profiles: no other shapes mixed in)");
  app.add_option("--one-case-docs", options.one_case_docs,
                 "documents per request in the --one-case case (to profile the 100-doc shape)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--flow-only", options.flow_only, "no raw chain (for profiles of the flow alone)");
  app.add_flag("--raw-only", options.raw_only, "no flow (for profiles of the raw chain alone)")
      ->excludes("--flow-only");
  app.add_flag("--thread-peas", options.thread_peas,
               "peas as threads of this process (tcp still), for profiling in one process");
  CLI11_PARSE(app, argc, argv);

  try {
    return jflow::bench::run_bench(options);
  } catch (const std::exception& e) {
    std::cerr << "bench_chain: " << e.what() << "\n";
    return 1;
  }
}
