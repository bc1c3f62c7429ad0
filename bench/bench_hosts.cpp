// bench_hosts: a 3-hop chain with one hop per host (3 network namespaces on one bridge, see
// tests/support/virtual_hosts.hpp) against the same 3 hop processes on one host (tcp loopback),
// each with and without CurveZMQ, in one run.
//
// Source and sink live in this process, in the root namespace (the orchestrator's place): the
// source PUSHes into hop 1, hop 3 PUSHes to the sink's PULL. Every hop binds its PULL and connects
// its PUSH to the next; with CURVE each bound socket is a CURVE server with its own key pair and
// each connecting socket a client that knows the server's public key — the keys are written and
// read back through jflow's key files (jflow/curve_keys.hpp). Systems alternate round by round, so
// load from other work on the machine hits all of them alike.
//
// Each system under test implements SystemUnderTest: the raw libzmq chain (RawHostChain) and a
// jflow Flow of 3 pass-through pods (FlowHostChain). The flow's orchestrator is this process, in
// the root namespace; across hosts each pod runs on its host's `jflow daemon` (started here, one
// per host, with --key/--allow or --insecure), on one host the pods are process peas on 127.0.0.1.
// With CURVE the flow has `curve:` (orchestrator key, and each daemon's public key across hosts),
// so every tcp link of the flow is CURVE, as is every socket of the raw chain with CURVE.
//
//   build/bench/bench_hosts [--requests N] [--window W] [--latency-samples N] [--rounds R]
//                           [--bytes B] [--jflow PATH]
// The 3-host half needs root (network namespaces); without them it says why and runs the loopback
// half only.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include "../tests/support/virtual_hosts.hpp"
#include "jflow/curve_keys.hpp"
#include "jflow/flow.hpp"
#include "jflow/flow_spec.hpp"
#include "measurement.hpp"
#include "pea/pea_handle.hpp"

namespace jflow::bench {
namespace {

using jflow::test::VirtualHosts;

constexpr std::size_t kHops = 3;
constexpr std::string_view kHopFlag = "--hop";
// A one-byte message: data messages carry an 8-byte sequence number, so a hop cannot mistake it.
constexpr std::string_view kEndOfStream = "E";
constexpr auto kStartTimeout = std::chrono::seconds(10);
constexpr auto kStallTimeout = std::chrono::seconds(10);

struct Options {
  std::size_t requests = 20000;        // per round, with `window` in flight
  std::size_t window = 64;             // requests in flight for throughput
  std::size_t latency_samples = 2000;  // per round, one request in flight
  std::size_t rounds = 5;
  std::size_t bytes = 256;  // message size (the flow: the text of the request's one document)
  std::filesystem::path jflow_executable;  // empty: find_jflow_executable()
  bool keep_alive = true;                  // poll idle flows between other systems' runs
  bool loopback_only = false;              // as when virtual hosts are unavailable
};

// Where a chain's processes run: the hop hosts (VirtualHosts indexes) and the addresses.
struct Placement {
  std::string label;
  std::vector<std::size_t> hop_hosts;  // one per hop
  std::vector<std::string> hop_ips;    // where each hop binds
  std::string sink_ip;                 // where this process binds its PULL
};

// CURVE keys of one chain: a key pair per bound socket (the sink and each hop) and one for the
// source, in files under `dir` (names sink, hop0…, source); for the flow, one for the orchestrator
// (orchestrator) and one per host's daemon (daemon0…).
struct CurveSetup {
  std::filesystem::path dir;
};

void set_curve_server(zmq::socket_t& socket, const CurveKeyPair& own) {
  socket.set(zmq::sockopt::curve_server, true);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
}

void set_curve_client(zmq::socket_t& socket, const CurveKeyPair& own,
                      const std::string& server_public) {
  socket.set(zmq::sockopt::curve_publickey, own.public_key);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_key);
  socket.set(zmq::sockopt::curve_serverkey, server_public);
}

// A hop: `bench_hosts --hop tcp://IP:* OUT [KEY_DIR NAME NEXT]`. Binds its PULL, prints
// "listening ENDPOINT", forwards every message to OUT until it forwards end-of-stream. With keys,
// its PULL is a CURVE server with DIR/NAME.secret and its PUSH a client of DIR/NEXT.pub.
int run_hop(int argc, char** argv) {
  try {
    if (argc != 4 && argc != 7) throw std::runtime_error("usage: --hop IN OUT [DIR NAME NEXT]");
    zmq::context_t context(1);
    zmq::socket_t in(context, zmq::socket_type::pull);
    zmq::socket_t out(context, zmq::socket_type::push);
    in.set(zmq::sockopt::linger, 0);
    out.set(zmq::sockopt::linger, 2000);  // end-of-stream leaves before close; the bench sees it
    out.set(zmq::sockopt::reconnect_ivl, 10);
    if (argc == 7) {
      std::filesystem::path dir = argv[4];
      CurveKeyPair own = read_curve_secret(dir / (std::string(argv[5]) + ".secret"));
      set_curve_server(in, own);
      set_curve_client(out, own, read_curve_public(dir / (std::string(argv[6]) + ".pub")));
    }
    in.bind(argv[2]);
    out.connect(argv[3]);
    std::printf("listening %s\n", in.get(zmq::sockopt::last_endpoint).c_str());
    std::fflush(stdout);
    while (true) {
      zmq::message_t message;
      (void)in.recv(message);
      bool done = message.to_string_view() == kEndOfStream;
      (void)out.send(message, zmq::send_flags::none);
      if (done) return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_hosts hop: " << e.what() << "\n";
    return 1;
  }
}

// What the table compares: something that carries `bytes`-sized requests from this process
// through 3 hops and back to this process.
class SystemUnderTest {
 public:
  virtual ~SystemUnderTest() = default;
  virtual std::string name() const = 0;  // "raw" or "flow"
  virtual std::string placement() const = 0;
  virtual bool curve() const = 0;
  // `requests` round trips with at most `window` in flight, each timed. Throws on loss,
  // reordering or a stall.
  virtual Measurement run(std::size_t requests, std::size_t window) = 0;
  virtual std::vector<pid_t> pids() const = 0;  // the processes doing the hops' work
  // Called between other systems' runs: a flow's owner polls it now and then (see FlowHostChain).
  virtual void keep_alive() {}
  virtual void stop() = 0;  // an orderly end; throws if it is not
};

// The baseline: plain libzmq PUSH/PULL, a hop process per host forwarding messages unopened.
class RawHostChain : public SystemUnderTest {
 public:
  RawHostChain(VirtualHosts& hosts, zmq::context_t& context, Placement placement,
               const std::optional<CurveSetup>& curve, std::size_t bytes)
      : hosts_(hosts),
        placement_(std::move(placement)),
        curve_(curve.has_value()),
        push_(context, zmq::socket_type::push),
        pull_(context, zmq::socket_type::pull),
        message_(std::max<std::size_t>(bytes, sizeof(std::uint64_t)), 'x') {
    push_.set(zmq::sockopt::linger, 0);
    pull_.set(zmq::sockopt::linger, 0);
    push_.set(zmq::sockopt::reconnect_ivl, 10);
    if (curve) {
      set_curve_server(pull_, read_curve_secret(curve->dir / "sink.secret"));
      set_curve_client(push_, read_curve_secret(curve->dir / "source.secret"),
                       read_curve_public(curve->dir / "hop0.pub"));
    }
    pull_.bind("tcp://" + placement_.sink_ip + ":*");
    // Hops start from the end of the chain, so each connects to a socket already bound.
    std::string next = pull_.get(zmq::sockopt::last_endpoint);
    std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
    try {
      for (std::size_t i = kHops; i-- > 0;) {
        std::vector<std::string> argv = {self, std::string(kHopFlag),
                                         "tcp://" + placement_.hop_ips[i] + ":*", next};
        if (curve) {
          argv.insert(argv.end(), {curve->dir.string(), "hop" + std::to_string(i),
                                   i + 1 == kHops ? "sink" : "hop" + std::to_string(i + 1)});
        }
        pid_t pid = hosts_.spawn(placement_.hop_hosts[i], argv);
        hops_.insert(hops_.begin(), pid);
        std::string line =
            hosts_.wait_for_line(pid, "listening ", VirtualHosts::Clock::now() + kStartTimeout);
        next = line.substr(std::strlen("listening "));
      }
      push_.connect(next);
    } catch (...) {
      kill_hops();
      throw;
    }
  }
  ~RawHostChain() override { kill_hops(); }

  std::string name() const override { return "raw"; }
  std::string placement() const override { return placement_.label; }
  bool curve() const override { return curve_; }
  std::vector<pid_t> pids() const override { return hops_; }

  Measurement run(std::size_t requests, std::size_t window) override {
    Measurement m;
    m.requests = requests;
    m.latencies_ns.reserve(requests);
    std::vector<BenchClock::time_point> sent_at(requests);
    std::size_t sent = 0;
    auto start = BenchClock::now();
    auto progress = start;
    while (m.latencies_ns.size() < requests) {
      bool blocked = false;
      for (; sent < requests && sent - m.latencies_ns.size() < window; ++sent) {
        zmq::message_t message(message_.data(), message_.size());
        std::uint64_t seq = sent;
        std::memcpy(message.data(), &seq, sizeof seq);
        sent_at[sent] = BenchClock::now();
        if (!push_.send(message, zmq::send_flags::dontwait)) {
          blocked = true;
          break;
        }
      }
      zmq::pollitem_t items[] = {
          {pull_.handle(), 0, ZMQ_POLLIN, 0},
          {push_.handle(), 0, static_cast<short>(blocked ? ZMQ_POLLOUT : 0), 0}};
      zmq::poll(items, 2, std::chrono::milliseconds(100));
      zmq::message_t reply;
      while (pull_.recv(reply, zmq::recv_flags::dontwait)) {
        std::uint64_t seq = 0;
        if (reply.size() == message_.size()) std::memcpy(&seq, reply.data(), sizeof seq);
        if (reply.size() != message_.size() || seq != m.latencies_ns.size())
          throw std::runtime_error("raw chain (" + placement_.label + "): expected message " +
                                   std::to_string(m.latencies_ns.size()) + ", got another");
        m.latencies_ns.push_back(elapsed_ns(sent_at[seq]));
        progress = BenchClock::now();
      }
      if (BenchClock::now() - progress > kStallTimeout)
        throw std::runtime_error("raw chain (" + placement_.label + ") stalled after " +
                                 std::to_string(m.latencies_ns.size()) + " replies");
    }
    m.seconds = std::chrono::duration<double>(BenchClock::now() - start).count();
    return m;
  }

  void stop() override {
    auto deadline = VirtualHosts::Clock::now() + std::chrono::seconds(5);
    push_.set(zmq::sockopt::sndtimeo, 5000);
    pull_.set(zmq::sockopt::rcvtimeo, 5000);
    std::string problem;
    zmq::message_t frame;
    if (!push_.send(zmq::buffer(kEndOfStream), zmq::send_flags::none)) {
      problem = "could not send end-of-stream";
    } else {
      bool back = false;
      while (!back && pull_.recv(frame)) back = frame.to_string_view() == kEndOfStream;
      if (!back) problem = "end-of-stream did not come back";
    }
    for (pid_t& pid : hops_) {
      auto status = hosts_.wait_exit(pid, deadline);
      if (!status) {
        if (problem.empty()) problem = "hop pid " + std::to_string(pid) + " did not exit";
        continue;  // kill_hops() ends it
      }
      if ((!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) && problem.empty())
        problem = "hop pid " + std::to_string(pid) + " did not exit cleanly";
      pid = 0;  // reaped
    }
    kill_hops();
    if (!problem.empty())
      throw std::runtime_error("raw chain (" + placement_.label + "): " + problem);
  }

 private:
  void kill_hops() noexcept {
    for (pid_t pid : hops_) {
      if (pid <= 0) continue;
      ::kill(pid, SIGKILL);
      try {
        hosts_.wait_exit(pid, VirtualHosts::Clock::now() + std::chrono::seconds(5));
      } catch (...) {
      }
    }
    hops_.clear();
  }

  VirtualHosts& hosts_;
  Placement placement_;
  bool curve_;
  zmq::socket_t push_;
  zmq::socket_t pull_;
  std::string message_;
  std::vector<pid_t> hops_;
};

// jflow: a Flow of 3 `_pass` pods, this process its orchestrator. Across hosts, pod i runs on the
// daemon of host i (each FlowHostChain starts its own daemons: --insecure ones cannot serve a flow
// with CURVE, and the reverse); on one host, the pods are process peas on 127.0.0.1. A request is
// one document whose id is its sequence number and whose text is `bytes` long.
class FlowHostChain : public SystemUnderTest {
 public:
  FlowHostChain(VirtualHosts& hosts, const Placement& placement,
                const std::optional<CurveSetup>& curve, std::size_t bytes,
                const std::filesystem::path& jflow, std::size_t window)
      : hosts_(hosts), placement_(placement), curve_(curve.has_value()) {
    Document doc;
    doc.text = std::string(bytes, 'x');
    request_.docs.push_back(std::move(doc));
    bool remote = placement_.hop_hosts.front() != VirtualHosts::kOrchestrator;
    FlowBuilder builder;
    builder.transport(Transport::tcp)
        .host(placement_.sink_ip)
        .request_timeout(std::chrono::seconds(10));
    try {
      if (remote) start_daemons(curve, jflow);
      for (std::size_t i = 0; i < kHops; ++i) {
        builder.add("p" + std::to_string(i + 1), "_pass", Runtime::process);
        if (remote) builder.pod_host(daemons_[i].address);
      }
      if (curve) {
        builder.curve_key(curve->dir / "orchestrator.secret");
        for (std::size_t i = 0; i < daemons_.size(); ++i)
          builder.host_key(daemons_[i].address,
                           curve->dir / ("daemon" + std::to_string(i) + ".pub"));
      }
      FlowOptions options;
      options.jflow_executable = jflow;
      options.max_in_flight = window;
      flow_ = std::make_unique<Flow>(builder.build(), options);
      flow_->start();
    } catch (...) {
      flow_.reset();
      kill_daemons();
      throw;
    }
  }
  ~FlowHostChain() override {
    try {
      flow_.reset();
    } catch (...) {
    }
    kill_daemons();
  }

  std::string name() const override { return "flow"; }
  // A Flow heartbeats its daemons only inside poll()/submit()/call(); a daemon kills the peas of
  // an orchestrator silent for 3 s, and the orchestrator, back from a pause of 3 s, finds no
  // heartbeat from the daemon either (a daemon only answers heartbeats) and declares the host
  // lost. A flow left unpolled while the 7 other systems take their turns (several seconds) thus
  // loses its remote peas: its owner must poll it, as a real application's loop would.
  void keep_alive() override { flow_->poll(Duration::zero()); }
  std::string placement() const override { return placement_.label; }
  bool curve() const override { return curve_; }
  std::vector<pid_t> pids() const override {
    // Peas on the hosts' daemons share this pid namespace (only the network is separate).
    std::vector<pid_t> pids;
    for (const PeaStatus& pea : flow_->status()) {
      if (pea.pid > 0) pids.push_back(pea.pid);
    }
    return pids;
  }

  Measurement run(std::size_t requests, std::size_t window) override {
    Measurement m;
    m.requests = requests;
    m.latencies_ns.reserve(requests);
    std::optional<std::string> failure;
    std::vector<bool> seen(requests, false);
    auto on_reply = [&](std::size_t seq, BenchClock::time_point sent, Response&& response) {
      m.latencies_ns.push_back(elapsed_ns(sent));
      if (failure) return;
      if (!response.ok()) {
        const Status& s = response.status();
        failure = std::string(status_code_name(s.code)) + " from pod '" + s.pod + "': " + s.message;
      } else if (response.request.docs.size() != 1 ||
                 response.request.docs[0].id != std::to_string(seq) ||
                 response.request.docs[0].text.size() != request_.docs[0].text.size() ||
                 seen[seq]) {
        failure = "request " + std::to_string(seq) + " came back altered or twice";
      } else {
        seen[seq] = true;
      }
    };
    auto start = BenchClock::now();
    try {
      for (std::size_t i = 0; i < requests && !failure; ++i) {
        Request copy = request_;  // a caller builds each request; the copy is part of the cost
        copy.docs[0].id = std::to_string(i);
        auto sent = BenchClock::now();
        if (window == 1) {
          on_reply(i, sent, flow_->call(std::move(copy)));
        } else {
          // submit() polls while `window` (the flow's max_in_flight) requests are in flight.
          flow_->submit(std::move(copy), [&on_reply, i, sent](Response&& response) {
            on_reply(i, sent, std::move(response));
          });
        }
      }
      flow_->wait_all();
    } catch (...) {
      flow_->close();  // the callbacks refer to this frame
      throw;
    }
    m.seconds = std::chrono::duration<double>(BenchClock::now() - start).count();
    if (failure)
      throw std::runtime_error("flow (" + placement_.label + (curve_ ? ", curve" : "") +
                               "): " + *failure);
    return m;
  }

  void stop() override {
    std::string problem;
    auto close_start = BenchClock::now();
    try {
      flow_->close();
    } catch (const std::exception& e) {
      problem = std::string("close: ") + e.what();
    }
    if (BenchClock::now() - close_start > std::chrono::seconds(5) && problem.empty())
      problem =
          "close took " +
          std::to_string(std::chrono::duration<double>(BenchClock::now() - close_start).count()) +
          " s";
    // A daemon ends on SIGTERM, killing what is left of its peas; it should exit 0.
    auto deadline = VirtualHosts::Clock::now() + std::chrono::seconds(5);
    for (Daemon& daemon : daemons_) {
      if (daemon.pid <= 0) continue;
      ::kill(daemon.pid, SIGTERM);
      auto status = hosts_.wait_exit(daemon.pid, deadline);
      if (!status) {
        if (problem.empty()) problem = "daemon " + daemon.address + " ignored SIGTERM for 5 s";
        continue;
      }
      if ((!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) && problem.empty())
        problem = "daemon " + daemon.address + " did not exit cleanly on SIGTERM";
      daemon.pid = 0;
    }
    kill_daemons();
    if (!problem.empty())
      throw std::runtime_error("flow (" + placement_.label + (curve_ ? ", curve" : "") +
                               "): " + problem);
  }

 private:
  struct Daemon {
    pid_t pid = 0;
    std::string address;  // "ADDR:PORT", a pod's host:
  };

  void start_daemons(const std::optional<CurveSetup>& curve, const std::filesystem::path& jflow) {
    for (std::size_t i = 0; i < kHops; ++i) {
      std::size_t host = placement_.hop_hosts[i];
      std::vector<std::string> argv = {jflow.string(), "daemon", "--listen",
                                       "tcp://" + placement_.hop_ips[i] + ":0"};
      if (curve) {
        argv.insert(argv.end(),
                    {"--key", (curve->dir / ("daemon" + std::to_string(i) + ".secret")).string(),
                     "--allow", (curve->dir / "orchestrator.pub").string()});
      } else {
        argv.push_back("--insecure");
      }
      Daemon& daemon = daemons_.emplace_back();
      daemon.pid = hosts_.spawn(host, argv);
      // "listening tcp://10.213.7.2:41234 (curve)"
      std::string line = hosts_.wait_for_line(daemon.pid, "listening tcp://",
                                              VirtualHosts::Clock::now() + kStartTimeout);
      std::string endpoint = line.substr(std::strlen("listening tcp://"));
      daemon.address = endpoint.substr(0, endpoint.find(' '));
    }
  }

  void kill_daemons() noexcept {
    for (Daemon& daemon : daemons_) {
      if (daemon.pid <= 0) continue;
      ::kill(daemon.pid, SIGKILL);
      try {
        hosts_.wait_exit(daemon.pid, VirtualHosts::Clock::now() + std::chrono::seconds(5));
      } catch (...) {
      }
      daemon.pid = 0;
    }
  }

  VirtualHosts& hosts_;
  Placement placement_;
  bool curve_;
  Request request_;
  std::vector<Daemon> daemons_;
  std::unique_ptr<Flow> flow_;
};

// Every round of one system in one case, reduced to the table's figures.
struct Series {
  std::vector<double> rates;
  std::vector<std::int64_t> latencies_ns;
  std::int64_t hops_cpu_ns = 0;
  std::size_t requests = 0;
  void add(Measurement&& m) {
    rates.push_back(m.requests_per_second());
    hops_cpu_ns += m.hops_cpu_ns;
    requests += m.requests;
    latencies_ns.insert(latencies_ns.end(), m.latencies_ns.begin(), m.latencies_ns.end());
  }
  double median_rate() const {
    std::vector<double> sorted = rates;
    std::sort(sorted.begin(), sorted.end());
    return sorted.empty() ? 0.0 : sorted[sorted.size() / 2];
  }
};

struct Row {
  SystemUnderTest* system;
  std::size_t window;
  Series series;
  std::optional<std::string> error;
};

Placement three_hosts(const VirtualHosts& hosts) {
  Placement p{"3 hosts", {}, {}, hosts.orchestrator_address()};
  for (std::size_t i = 0; i < kHops; ++i) {
    p.hop_hosts.push_back(i);
    p.hop_ips.push_back(hosts.address(i));
  }
  return p;
}

Placement loopback() {
  return {"loopback", std::vector<std::size_t>(kHops, VirtualHosts::kOrchestrator),
          std::vector<std::string>(kHops, "127.0.0.1"), "127.0.0.1"};
}

// The systems the table compares: raw and flow, each across hosts and on one host, each without
// and with CURVE.
std::vector<std::unique_ptr<SystemUnderTest>> make_systems(VirtualHosts& hosts,
                                                           zmq::context_t& context,
                                                           const std::optional<CurveSetup>& curve,
                                                           const Options& options,
                                                           bool across_hosts) {
  std::vector<std::unique_ptr<SystemUnderTest>> systems;
  std::filesystem::path jflow =
      options.jflow_executable.empty() ? find_jflow_executable() : options.jflow_executable;
  std::vector<Placement> placements;
  if (across_hosts) placements.push_back(three_hosts(hosts));
  placements.push_back(loopback());
  for (const Placement& placement : placements) {
    for (bool with_curve : {false, true}) {
      if (with_curve && !curve) continue;  // this libzmq has no CURVE
      const std::optional<CurveSetup> setting = with_curve ? curve : std::nullopt;
      systems.push_back(
          std::make_unique<RawHostChain>(hosts, context, placement, setting, options.bytes));
      systems.push_back(std::make_unique<FlowHostChain>(hosts, placement, setting, options.bytes,
                                                        jflow, options.window));
    }
  }
  return systems;
}

// Writes the key pairs of one chain into a fresh folder; removed by the caller.
CurveSetup make_curve_keys() {
  CurveSetup setup{std::filesystem::temp_directory_path() /
                   ("jflow-bench-hosts-" + std::to_string(::getpid()))};
  std::filesystem::remove_all(setup.dir);
  for (std::string name :
       {"source", "sink", "hop0", "hop1", "hop2", "orchestrator", "daemon0", "daemon1", "daemon2"})
    write_curve_keys(setup.dir, name, generate_curve_keys());
  return setup;
}

void print_table(std::vector<Row>& rows) {
  std::printf("%-5s  %-9s  %-5s  %6s  %9s  %8s  %8s  %12s\n", "", "", "", "", "", "", "",
              "hops cpu");
  std::printf("%-5s  %-9s  %-5s  %6s  %9s  %8s  %8s  %12s\n", "sut", "placement", "curve", "window",
              "req/s", "p50 us", "p99 us", "us/request");
  for (Row& row : rows) {
    std::printf("%-5s  %-9s  %-5s  %6zu", row.system->name().c_str(),
                row.system->placement().c_str(), row.system->curve() ? "on" : "off", row.window);
    if (row.error) {
      std::printf("  FAILED: %s\n", row.error->c_str());
      continue;
    }
    Series& s = row.series;
    std::printf("  %9.0f  %8.0f  %8.0f  %12.1f\n", s.median_rate(),
                quantile_us(s.latencies_ns, 0.50), quantile_us(s.latencies_ns, 0.99),
                s.requests ? s.hops_cpu_ns / 1000.0 / static_cast<double>(s.requests) : 0.0);
  }
}

// flow ÷ raw for the same placement, CURVE setting and window.
void print_ratios(std::vector<Row>& rows) {
  std::printf("\nflow / raw (same placement, curve, window)\n");
  std::printf("%-9s  %-5s  %6s  %7s  %7s  %7s  %10s\n", "placement", "curve", "window", "req/s",
              "p50", "p99", "cpu/req");
  auto cpu = [](const Series& s) {
    return s.requests ? s.hops_cpu_ns / static_cast<double>(s.requests) : 0.0;
  };
  for (Row& flow : rows) {
    if (flow.system->name() != "flow") continue;
    for (Row& raw : rows) {
      if (raw.system->name() != "raw" || raw.window != flow.window ||
          raw.system->placement() != flow.system->placement() ||
          raw.system->curve() != flow.system->curve())
        continue;
      std::printf("%-9s  %-5s  %6zu", flow.system->placement().c_str(),
                  flow.system->curve() ? "on" : "off", flow.window);
      if (flow.error || raw.error) {
        std::printf("  (a row failed)\n");
        continue;
      }
      Series& f = flow.series;
      Series& r = raw.series;
      std::printf("  %7.2f  %7.2f  %7.2f  %10.2f\n", f.median_rate() / r.median_rate(),
                  quantile_us(f.latencies_ns, 0.50) / quantile_us(r.latencies_ns, 0.50),
                  quantile_us(f.latencies_ns, 0.99) / quantile_us(r.latencies_ns, 0.99),
                  cpu(f) / cpu(r));
    }
  }
}

int run_bench(const Options& options) {
  std::optional<std::string> no_hosts = VirtualHosts::unavailable();
  if (options.loopback_only && !no_hosts) no_hosts = "--loopback-only";
  if (no_hosts)
    std::printf("bench_hosts: no 3-host half (%s): running the loopback half only\n\n",
                no_hosts->c_str());
  std::optional<VirtualHosts> hosts_storage;
  if (no_hosts) {
    hosts_storage.emplace(VirtualHosts::RootOnly{});
  } else {
    hosts_storage.emplace(kHops);
  }
  VirtualHosts& hosts = *hosts_storage;
  std::optional<CurveSetup> curve;
  if (curve_available()) curve = make_curve_keys();
  struct RemoveKeys {
    const std::optional<CurveSetup>& curve;
    ~RemoveKeys() {
      if (curve) std::filesystem::remove_all(curve->dir);
    }
  } remove_keys{curve};

  zmq::context_t context;
  auto systems = make_systems(hosts, context, curve, options, !no_hosts);
  std::vector<Row> rows;
  for (std::size_t window : {options.window, std::size_t{1}}) {
    for (auto& system : systems) rows.push_back({system.get(), window, {}, std::nullopt});
  }
  auto run_row = [&](Row& row, std::size_t requests, bool keep) {
    if (options.keep_alive) {
      for (auto& system : systems) {
        if (system.get() == row.system) continue;
        try {
          system->keep_alive();
        } catch (const std::exception&) {
          // the system's own next run reports what went wrong
        }
      }
    }
    if (row.error) return;
    try {
      CpuMeter cpu(row.system->pids());
      Measurement m = row.system->run(requests, row.window);
      cpu.stop(m);
      if (keep) row.series.add(std::move(m));
    } catch (const std::exception& e) {
      row.error = e.what();
    }
  };
  for (std::size_t window : {options.window, std::size_t{1}}) {
    std::size_t requests = window == 1 ? options.latency_samples : options.requests;
    std::vector<Row*> batch;
    for (Row& row : rows) {
      if (row.window == window) batch.push_back(&row);
    }
    for (Row* row : batch) run_row(*row, std::max<std::size_t>(window, requests / 20), false);
    for (std::size_t round = 0; round < options.rounds; ++round) {
      // Each round starts with another system, so a drift in machine load favours none.
      for (std::size_t k = 0; k < batch.size(); ++k)
        run_row(*batch[(round + k) % batch.size()], requests, true);
    }
  }
  std::vector<std::string> stop_errors;
  for (auto& system : systems) {
    try {
      system->stop();
    } catch (const std::exception& e) {
      stop_errors.emplace_back(e.what());
    }
  }

  std::printf(
      "bench_hosts: %zu-hop PUSH/PULL chain (raw) and a flow of %zu `_pass` pods (flow), a hop "
      "process or pea per host (network namespaces on one bridge, veth; the flow's peas started "
      "by each host's jflow daemon) or all on this host (tcp 127.0.0.1); source and sink (the "
      "flow's orchestrator) in this process. hops cpu: the hop processes or peas\n",
      kHops, kHops);
  std::printf(
      "%zu rounds, systems alternating, median round's req/s; %zu B messages; %zu "
      "requests per round with window %zu, %zu with window 1 (latency)%s\n\n",
      options.rounds, options.bytes, options.requests, options.window, options.latency_samples,
      curve ? "" : "; this libzmq has no CURVE");
  print_table(rows);
  print_ratios(rows);
  bool failed = std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.error; });
  for (const std::string& error : stop_errors) std::printf("\nstop failed: %s\n", error.c_str());
  return failed || !stop_errors.empty() ? 1 : 0;
}

}  // namespace
}  // namespace jflow::bench

int main(int argc, char** argv) {
  // A hop is this same binary, started by RawHostChain; it must not parse options.
  if (argc >= 2 && argv[1] == jflow::bench::kHopFlag) return jflow::bench::run_hop(argc, argv);

  jflow::bench::Options options;
  CLI::App app{
      "Benchmark: a 3-hop raw libzmq chain and a 3-pod jflow flow across 3 virtual hosts against "
      "the same on one host, with and without CURVE"};
  app.add_option("--requests", options.requests, "requests per round with --window in flight")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--window", options.window, "requests in flight for throughput")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--latency-samples", options.latency_samples,
                 "round trips per round with one request in flight")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--rounds", options.rounds, "rounds; systems alternate, the median is shown")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--bytes", options.bytes, "message size (at least 8)")->capture_default_str();
  app.add_flag("!--no-keep-alive", options.keep_alive,
               "do not poll idle flows while other systems run: their remote peas are lost after "
               "3 s");
  app.add_flag("--loopback-only", options.loopback_only,
               "only the one-host half (what runs when network namespaces are unavailable)");
  app.add_option("--jflow", options.jflow_executable,
                 "the jflow binary for daemons and peas (default: found like Flow does)");
  CLI11_PARSE(app, argc, argv);
  try {
    return jflow::bench::run_bench(options);
  } catch (const std::exception& e) {
    std::cerr << "bench_hosts: " << e.what() << "\n";
    return 1;
  }
}
