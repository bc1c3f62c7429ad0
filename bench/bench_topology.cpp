// bench_topology: what a pod's shape costs and buys.
//
// (a) Replica scaling. One pod whose work is a 1 ms wait (`- !WaitDriver {duration: 1ms}`),
//     `parallel` 1, 2, 4, 8, process peas over tcp. The benchmark keeps `--per-replica` × N
//     requests in flight (FlowOptions::max_in_flight), so every replica always has work up to that
//     depth; with the default 16 (each replica's credit window) every replica is full. It reports
//     requests/s and the scaling ratio rate_N / (N × rate_1) (1.0 = linear), plus CPU per request,
//     which says whether the machine ran out of cores before the pod ran out of replicas.
//
// (b) Polling all. One pod `parallel` S with `polling: all`, `uses: _pass` on every shard and
//     `uses_after: _merge` reducing their answers, S = 1 (a single pea: no head, no tail), 2, 4;
//     one request in flight at a time, so the latency is the path's own. Against it, in the same
//     run, a raw libzmq fan-out: the benchmark PUSHes the same two frames to S forwarder processes
//     and PULLs the S copies back. "added" is the p50 (p99) latency minus that of S = 1.
//
// (c) Timer precision. One process pea `- !WaitDriver {duration: D}` against the same pea with
//     `_pass`, one request in flight, alternating in rounds: "over" = p50(wait) − p50(pass) − D,
//     what a driver's wait costs beyond its own length (the pea's timer, not the hops).
//
//   build-bench/bench/bench_topology [--rounds R] [--per-replica K] [--latency-samples N]
//                                    [--only scaling|shards|timer] [--help]
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include "jflow/codec.hpp"
#include "jflow/duration.hpp"
#include "jflow/flow.hpp"
#include "jflow/flow_spec.hpp"
#include "measurement.hpp"
#include "raw_chain.hpp"

namespace jflow::bench {
namespace {

struct Options {
  std::vector<std::size_t> replicas = {1, 2, 4, 8};
  std::vector<std::size_t> shards = {1, 2, 4};
  std::size_t per_replica = 16;  // requests in flight per replica (16 = a replica's full credit)
  std::size_t batches = 150;     // requests per round = batches × per_replica × N
  std::size_t rounds = 5;
  std::size_t latency_samples = 2000;
  std::size_t text_bytes = 64;
  std::vector<std::string> timer_waits = {"1ms", "200us"};
  std::size_t timer_samples = 400;
  std::string only;  // empty: every case
  std::filesystem::path jflow_executable;
};

Request one_doc_request(std::size_t text_bytes) {
  Request request;
  Document doc;
  doc.id = "doc-0";
  doc.text = std::string(text_bytes, 'a');
  request.docs.push_back(std::move(doc));
  return request;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

std::vector<pid_t> flow_pids(const Flow& flow) {
  std::vector<pid_t> pids;
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pid > 0) pids.push_back(pea.pid);
  }
  return pids;
}

std::string describe_failure(const Response& response) {
  const Status& s = response.status();
  return std::string(status_code_name(s.code)) + " from pod '" + s.pod + "': " + s.message;
}

// ---- (a) replica scaling ----

struct ScalingRow {
  std::size_t replicas = 0;
  std::size_t in_flight = 0;
  std::vector<double> rates;
  std::vector<std::int64_t> latencies_ns;
  std::int64_t requests = 0;
  std::int64_t cpu_ns = 0;  // the client and every pea process together
};

// Keeps `in_flight` requests travelling (Flow::submit waits when the flow is at max_in_flight)
// and times `requests` of them. Any failure ends the benchmark: a rate of errors means nothing.
Measurement run_stream(Flow& flow, const Request& request, std::size_t requests) {
  Measurement m;
  m.requests = requests;
  m.latencies_ns.reserve(requests);
  std::optional<std::string> failure;
  auto start = BenchClock::now();
  for (std::size_t i = 0; i < requests && !failure; ++i) {
    auto sent = BenchClock::now();
    flow.submit(Request(request), [&m, &failure, sent](Response&& response) {
      m.latencies_ns.push_back(elapsed_ns(sent));
      if (!response.ok() && !failure) failure = describe_failure(response);
    });
  }
  flow.wait_all();
  m.seconds = std::chrono::duration<double>(BenchClock::now() - start).count();
  if (failure) throw FlowError(*failure);
  return m;
}

ScalingRow measure_scaling(const Options& options, std::size_t replicas) {
  ScalingRow row;
  row.replicas = replicas;
  row.in_flight = options.per_replica * replicas;
  FlowOptions flow_options;
  flow_options.max_in_flight = row.in_flight;
  flow_options.jflow_executable = options.jflow_executable;
  FlowBuilder builder;
  builder.transport(Transport::tcp).host("127.0.0.1");
  builder.add("work", "- !WaitDriver {duration: 1ms}", Runtime::process).parallel(replicas);
  Flow flow(builder.build(), flow_options);
  flow.start();
  const Request request = one_doc_request(options.text_bytes);
  const std::size_t requests = options.batches * row.in_flight;
  run_stream(flow, request, std::max<std::size_t>(requests / 10, row.in_flight));  // warm-up
  for (std::size_t round = 0; round < options.rounds; ++round) {
    CpuMeter cpu(flow_pids(flow));
    Measurement m = run_stream(flow, request, requests);
    cpu.stop(m);
    row.rates.push_back(m.requests_per_second());
    row.requests += static_cast<std::int64_t>(m.requests);
    row.cpu_ns += m.client_cpu_ns + m.hops_cpu_ns;
    row.latencies_ns.insert(row.latencies_ns.end(), m.latencies_ns.begin(), m.latencies_ns.end());
  }
  flow.close();
  return row;
}

// ---- (b) polling all: latency of fan-out and reduce ----

// S forwarder processes (bench_topology --raw-hop, the hop of raw_chain) fed by one PUSH each;
// all of them send back to one PULL. A round trip sends the request to every forwarder and waits
// for all S copies: the least a fan-out and gather over libzmq can cost.
class RawFanOut {
 public:
  RawFanOut(zmq::context_t& context, std::size_t workers, const std::filesystem::path& executable)
      : pull_(context, zmq::socket_type::pull) {
    pull_.set(zmq::sockopt::linger, 0);
    pull_.bind("tcp://127.0.0.1:*");
    const std::string back = pull_.get(zmq::sockopt::last_endpoint);
    try {
      for (std::size_t i = 0; i < workers; ++i) {
        Worker& worker =
            workers_.emplace_back(Worker{0, zmq::socket_t(context, zmq::socket_type::push)});
        worker.push.set(zmq::sockopt::linger, 0);
        worker.push.connect(spawn(worker, executable, back));
      }
    } catch (...) {
      kill_all();
      throw;
    }
  }
  ~RawFanOut() { kill_all(); }
  RawFanOut(const RawFanOut&) = delete;
  RawFanOut& operator=(const RawFanOut&) = delete;

  std::int64_t round_trip(std::string_view envelope, std::string_view body) {
    auto sent = BenchClock::now();
    for (Worker& worker : workers_) {
      (void)worker.push.send(zmq::message_t(envelope.data(), envelope.size()),
                             zmq::send_flags::sndmore);
      (void)worker.push.send(zmq::message_t(body.data(), body.size()), zmq::send_flags::none);
    }
    for (std::size_t got = 0; got < workers_.size(); ++got) {
      zmq::message_t head;
      zmq::message_t tail;
      pull_.set(zmq::sockopt::rcvtimeo, 10000);
      if (!pull_.recv(head) || !head.more() || !pull_.recv(tail)) {
        throw std::runtime_error("raw fan-out: a reply was lost or malformed");
      }
    }
    return elapsed_ns(sent);
  }

 private:
  struct Worker {
    pid_t pid;
    zmq::socket_t push;
  };

  // Forks and execs `executable --raw-hop BACK`; returns the endpoint the hop reports.
  static std::string spawn(Worker& worker, const std::filesystem::path& executable,
                           const std::string& back) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("raw fan-out: pipe2 failed");
    // Prepared before fork: only async-signal-safe calls between fork and exec.
    std::string path = executable.string();
    std::string flag(kRawHopFlag);
    std::string out = back;
    char* argv[] = {path.data(), flag.data(), out.data(), nullptr};
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("raw fan-out: fork failed");
    if (pid == 0) {
      ::dup2(fds[1], STDOUT_FILENO);
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the benchmark
      if (::getppid() != parent) ::_exit(1);
      ::execv(argv[0], argv);
      ::_exit(127);
    }
    worker.pid = pid;
    ::close(fds[1]);
    std::string line;
    char c = 0;
    pollfd item{fds[0], POLLIN, 0};
    while (::poll(&item, 1, 10000) > 0 && ::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(fds[0]);
    if (line.empty()) throw std::runtime_error("raw fan-out: a forwarder reported no endpoint");
    return line;
  }

  void kill_all() noexcept {
    for (Worker& worker : workers_) {
      if (worker.pid <= 0) continue;
      ::kill(worker.pid, SIGKILL);
      int status = 0;
      while (::waitpid(worker.pid, &status, 0) < 0 && errno == EINTR) {
      }
      worker.pid = 0;
    }
  }

  zmq::socket_t pull_;
  std::vector<Worker> workers_;
};

struct LatencyRow {
  std::size_t shards = 0;
  std::vector<std::int64_t> flow_ns;
  std::vector<std::int64_t> raw_ns;
};

std::unique_ptr<Flow> start_shard_flow(const Options& options, std::size_t shards) {
  FlowOptions flow_options;
  flow_options.jflow_executable = options.jflow_executable;
  FlowBuilder builder;
  builder.transport(Transport::tcp).host("127.0.0.1");
  builder.add("index", "_pass", Runtime::process).parallel(shards);
  if (shards > 1) builder.polling(Polling::all).uses_after("_merge");
  auto flow = std::make_unique<Flow>(builder.build(), flow_options);
  flow->start();
  return flow;
}

LatencyRow measure_latency(const Options& options, std::size_t shards, zmq::context_t& context) {
  LatencyRow row;
  row.shards = shards;
  const Request request = one_doc_request(options.text_bytes);
  Envelope envelope;
  envelope.request_id = "0123456789abcdef-123456";
  const std::string head = encode_envelope(envelope);
  const std::string body = encode_body(request);
  auto flow = start_shard_flow(options, shards);
  RawFanOut raw(context, shards, std::filesystem::read_symlink("/proc/self/exe"));
  const std::size_t per_round = std::max<std::size_t>(1, options.latency_samples / options.rounds);
  for (std::size_t i = 0; i < per_round / 10 + 1; ++i) {  // warm-up
    (void)flow->call(request);
    (void)raw.round_trip(head, body);
  }
  // Raw and flow alternate in small rounds, so a change in machine load hits both alike.
  for (std::size_t round = 0; round < options.rounds; ++round) {
    for (std::size_t i = 0; i < per_round; ++i) {
      auto sent = BenchClock::now();
      Response response = flow->call(request);
      row.flow_ns.push_back(elapsed_ns(sent));
      if (!response.ok()) throw FlowError(describe_failure(response));
      if (response.request.docs.size() != 1) {
        throw FlowError("the merge returned " + std::to_string(response.request.docs.size()) +
                        " documents, expected 1");
      }
    }
    for (std::size_t i = 0; i < per_round; ++i) row.raw_ns.push_back(raw.round_trip(head, body));
  }
  flow->close();
  return row;
}

struct TimerRow {
  std::string wait;
  double wait_us = 0;
  std::vector<std::int64_t> pass_ns, wait_ns;
};

std::unique_ptr<Flow> start_one_pea_flow(const Options& options, const std::string& uses) {
  FlowOptions flow_options;
  flow_options.jflow_executable = options.jflow_executable;
  FlowBuilder builder;
  builder.transport(Transport::tcp).host("127.0.0.1");
  builder.add("work", uses, Runtime::process);
  auto flow = std::make_unique<Flow>(builder.build(), flow_options);
  flow->start();
  return flow;
}

TimerRow measure_timer(const Options& options, const std::string& wait) {
  TimerRow row;
  row.wait = wait;
  const std::optional<Duration> length = parse_duration(wait);
  if (!length) throw std::invalid_argument("--timer-waits: '" + wait + "' is not a duration");
  row.wait_us = std::chrono::duration<double, std::micro>(*length).count();
  const Request request = one_doc_request(options.text_bytes);
  auto pass = start_one_pea_flow(options, "_pass");
  auto waiting = start_one_pea_flow(options, "- !WaitDriver {duration: " + wait + "}");
  const auto sample = [&request](Flow& flow, std::vector<std::int64_t>& into) {
    auto sent = BenchClock::now();
    Response response = flow.call(request);
    into.push_back(elapsed_ns(sent));
    if (!response.ok()) throw FlowError(describe_failure(response));
  };
  std::vector<std::int64_t> warm_up;
  for (int i = 0; i < 20; ++i) {
    sample(*pass, warm_up);
    sample(*waiting, warm_up);
  }
  const std::size_t per_round = std::max<std::size_t>(1, options.timer_samples / options.rounds);
  for (std::size_t round = 0; round < options.rounds; ++round) {
    for (std::size_t i = 0; i < per_round; ++i) sample(*pass, row.pass_ns);
    for (std::size_t i = 0; i < per_round; ++i) sample(*waiting, row.wait_ns);
  }
  waiting->close();
  pass->close();
  return row;
}

// ---- report ----

void print_scaling(const std::vector<ScalingRow>& rows, const Options& options) {
  std::printf(
      "(a) replica scaling: 1 pod, WaitDriver 1ms, process peas, tcp; %zu in flight per replica; "
      "%zu rounds, median shown\n",
      options.per_replica, options.rounds);
  std::printf("%8s  %9s  %9s  %8s  %8s  %8s  %8s  %7s\n", "parallel", "in flight", "req/s", "ideal",
              "ratio", "p50 ms", "p99 ms", "cpu us");
  const double base = rows.empty() ? 0.0 : median(rows.front().rates);
  for (const ScalingRow& row : rows) {
    std::vector<std::int64_t> latencies = row.latencies_ns;
    const double rate = median(row.rates);
    const double ideal = base * static_cast<double>(row.replicas);
    std::printf("%8zu  %9zu  %9.0f  %8.0f  %7.2fx  %8.2f  %8.2f  %7.1f\n", row.replicas,
                row.in_flight, rate, ideal, ideal > 0 ? rate / ideal : 0.0,
                quantile_us(latencies, 0.50) / 1000.0, quantile_us(latencies, 0.99) / 1000.0,
                row.requests ? static_cast<double>(row.cpu_ns) / 1000.0 / row.requests : 0.0);
  }
  std::printf("(ratio = rate_N / (N x rate_1); cpu us = client + all peas, per request)\n\n");
}

void print_latency(std::vector<LatencyRow>& rows) {
  std::printf(
      "(b) polling all: 1 pod, S shards (_pass), uses_after _merge, process peas, tcp; one "
      "request in flight\n");
  std::printf("%6s  %-5s  %8s  %8s  %10s  %10s\n", "shards", "who", "p50 us", "p99 us", "added p50",
              "added p99");
  if (rows.empty()) return;
  double flow50 = quantile_us(rows.front().flow_ns, 0.50);
  double flow99 = quantile_us(rows.front().flow_ns, 0.99);
  double raw50 = quantile_us(rows.front().raw_ns, 0.50);
  double raw99 = quantile_us(rows.front().raw_ns, 0.99);
  for (LatencyRow& row : rows) {
    double f50 = quantile_us(row.flow_ns, 0.50), f99 = quantile_us(row.flow_ns, 0.99);
    double r50 = quantile_us(row.raw_ns, 0.50), r99 = quantile_us(row.raw_ns, 0.99);
    std::printf("%6zu  %-5s  %8.0f  %8.0f  %10.0f  %10.0f\n", row.shards, "flow", f50, f99,
                f50 - flow50, f99 - flow99);
    std::printf("%6zu  %-5s  %8.0f  %8.0f  %10.0f  %10.0f\n", row.shards, "raw", r50, r99,
                r50 - raw50, r99 - raw99);
  }
  std::printf("(added = minus the 1-shard figure of the same system; 1 shard = a single pea)\n");
}

void print_timer(std::vector<TimerRow>& rows) {
  std::printf(
      "\n(c) timer precision: 1 process pea, WaitDriver D against _pass, tcp; one request in "
      "flight\n");
  std::printf("%8s  %10s  %10s  %10s  %10s\n", "wait", "pass p50", "wait p50", "added p50",
              "over D");
  for (TimerRow& row : rows) {
    const double pass50 = quantile_us(row.pass_ns, 0.50);
    const double wait50 = quantile_us(row.wait_ns, 0.50);
    std::printf("%8s  %8.0fus  %8.0fus  %8.0fus  %8.0fus\n", row.wait.c_str(), pass50, wait50,
                wait50 - pass50, wait50 - pass50 - row.wait_us);
  }
  std::printf("(added = wait p50 - pass p50; over D = added - D: the cost of the wait itself)\n");
}

int run_bench(const Options& options) {
  const auto wanted = [&options](const char* name) {
    return options.only.empty() || options.only == name;
  };
  if (wanted("scaling")) {
    std::vector<ScalingRow> scaling;
    for (std::size_t replicas : options.replicas) {
      scaling.push_back(measure_scaling(options, replicas));
      std::fprintf(stderr, "parallel %zu: %.0f req/s\n", replicas, median(scaling.back().rates));
    }
    print_scaling(scaling, options);
    std::fflush(stdout);
  }
  if (wanted("shards")) {
    zmq::context_t context;
    std::vector<LatencyRow> latency;
    for (std::size_t shards : options.shards)
      latency.push_back(measure_latency(options, shards, context));
    print_latency(latency);
    std::fflush(stdout);
  }
  if (wanted("timer")) {
    std::vector<TimerRow> timer;
    for (const std::string& wait : options.timer_waits)
      timer.push_back(measure_timer(options, wait));
    print_timer(timer);
  }
  return 0;
}

}  // namespace
}  // namespace jflow::bench

int main(int argc, char** argv) {
  // A forwarder of the raw fan-out is this same binary; it must not parse options.
  if (argc == 3 && argv[1] == jflow::bench::kRawHopFlag) return jflow::bench::run_raw_hop(argv[2]);

  jflow::bench::Options options;
  CLI::App app{"Benchmark: replica scaling and the latency of polling all, against raw libzmq"};
  app.add_option("--replicas", options.replicas, "parallel values for the scaling run")
      ->capture_default_str();
  app.add_option("--shards", options.shards, "shard counts for the polling-all run")
      ->capture_default_str();
  app.add_option("--per-replica", options.per_replica,
                 "requests in flight per replica (16 = a replica's full credit)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--batches", options.batches,
                 "requests per scaling round, in units of the requests in flight")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--rounds", options.rounds, "rounds; the median (scaling) or all (latency)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--latency-samples", options.latency_samples,
                 "round trips with one request in flight, per shard count and system")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--text-bytes", options.text_bytes, "bytes of text in the one document")
      ->capture_default_str();
  app.add_option("--timer-waits", options.timer_waits, "WaitDriver durations for the timer run")
      ->capture_default_str();
  app.add_option("--timer-samples", options.timer_samples,
                 "round trips per system and wait in the timer run")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--only", options.only, "run one case: scaling, shards or timer")
      ->check(CLI::IsMember({"scaling", "shards", "timer"}));
  app.add_option("--jflow", options.jflow_executable,
                 "the jflow binary process peas run (default: found like FlowOptions does)");
  CLI11_PARSE(app, argc, argv);
  if (options.replicas.empty() || options.replicas.front() < 1) {
    std::cerr << "bench_topology: --replicas must start with a positive count\n";
    return 2;
  }
  try {
    return jflow::bench::run_bench(options);
  } catch (const std::exception& e) {
    std::cerr << "bench_topology: " << e.what() << "\n";
    return 1;
  }
}
