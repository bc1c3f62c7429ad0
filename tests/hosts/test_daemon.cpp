// Pods on a `jflow daemon` reached over tcp on this machine: the same code paths as another host
// (launch through the daemon, CURVE, ZAP, heartbeats), without needing network namespaces. The
// tests across real (namespace) hosts are in tests/multihost/.
#include <catch2/catch.hpp>

#include <csignal>

#include <zmq_addon.hpp>

#include "control/control_channel.hpp"
#include "control/pea_end.hpp"
#include "support/fault_run.hpp"
#include "support/local_daemon.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

namespace {

DaemonOptions insecure_daemon() {
  DaemonOptions options;
  options.insecure = true;
  return options;
}

DaemonOptions curve_daemon(const CurveKeyPair& key, const std::string& allowed_public) {
  DaemonOptions options;
  options.key = key;
  options.allowed = {allowed_public};
  return options;
}

// local → remote (on the daemon) → local, so data crosses the link both ways.
FlowBuilder three_pods(const std::string& host) {
  FlowBuilder builder;
  builder.add("here", "_pass")
      .add("there", "- !WaitDriver {duration: 1ms}")
      .pod_host(host)
      .add("back", "_pass", Runtime::process);
  return builder;
}

int run_requests(Flow& flow, int count) {
  int ok = 0, ended = 0;
  for (int i = 0; i < count; ++i) {
    flow.submit(test::text_request("doc " + std::to_string(i)), [&](Response&& response) {
      ++ended;
      if (response.ok()) ++ok;
    });
  }
  REQUIRE(test::poll_until(
      flow, [&] { return ended == count; }, std::chrono::seconds(20)));
  return ok;
}

// The daemon protocol spoken by hand, to see what a daemon does with an orchestrator that
// misbehaves or with a pea that fails.
class HandMadeOrchestrator {
 public:
  explicit HandMadeOrchestrator(const std::string& daemon_address)
      : socket_(context_, zmq::socket_type::dealer) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.connect("tcp://" + daemon_address);
  }
  void launch(const std::string& pea, const std::string& control, std::int64_t incarnation = 0) {
    ControlMessage launch;
    launch.command = daemon_protocol::kLaunch;
    launch.fields["pea"] = pea;
    launch.fields["control"] = control;
    if (incarnation != 0) launch.fields[daemon_protocol::kIncarnation] = incarnation;
    send_control(socket_, launch);
  }
  void kill(const std::string& pea, std::int64_t incarnation) {
    ControlMessage kill;
    kill.command = daemon_protocol::kKill;
    kill.fields["pea"] = pea;
    kill.fields[daemon_protocol::kIncarnation] = incarnation;
    send_control(socket_, kill);
  }
  // Reads what the daemon sends until `done(message)` (also asked on each quiet 50 ms, with an
  // empty message) says so, or 10 s passed.
  void read_until(const std::function<bool(const ControlMessage&)>& done) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done(ControlMessage{}) && std::chrono::steady_clock::now() < give_up) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(50));
      while (auto message = try_recv_control(socket_, false)) {
        if (done(*message)) return;
      }
    }
  }

 private:
  zmq::context_t context_;
  zmq::socket_t socket_;
};

}  // namespace

TEST_CASE("a pod with host: runs on that daemon and serves requests", "[hosts]") {
  test::LocalDaemon daemon(insecure_daemon());
  Flow flow(three_pods(daemon.address()).build(), test::test_options());
  flow.start();
  bool remote_seen = false;
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pod == "there") remote_seen = pea.alive && pea.pid > 0;
  }
  CHECK(remote_seen);
  CHECK(daemon.logged("started pea 'there'"));

  Response one = flow.call(test::text_request("hello"));
  REQUIRE(one.ok());
  std::vector<std::string> pods;
  for (const Route& route : one.envelope.routes) pods.push_back(route.pod);
  CHECK(pods == std::vector<std::string>{"here", "there", "back"});
  CHECK(run_requests(flow, 300) == 300);
  flow.close();
}

TEST_CASE("with curve: the flow's links are CURVE and the daemon admits the listed key",
          "[hosts][curve]") {
  test::KeyFolder keys;
  CurveKeyPair orchestrator = keys.make("orchestrator");
  CurveKeyPair host = keys.make("host");
  test::LocalDaemon daemon(curve_daemon(host, orchestrator.public_key));
  FlowSpec spec = three_pods(daemon.address())
                      .curve_key(keys.secret("orchestrator"))
                      .host_key(daemon.address(), keys.pub("host"))
                      .build();
  Flow flow(spec, test::test_options());
  flow.start();
  CHECK(run_requests(flow, 300) == 300);
  flow.close();
  CHECK_FALSE(daemon.logged("refused"));
}

TEST_CASE("a daemon refuses an orchestrator whose key it does not list", "[hosts][curve]") {
  test::KeyFolder keys;
  keys.make("orchestrator");
  CurveKeyPair stranger = keys.make("stranger");
  CurveKeyPair host = keys.make("host");
  test::LocalDaemon daemon(curve_daemon(host, stranger.public_key));
  FlowSpec spec = three_pods(daemon.address())
                      .curve_key(keys.secret("orchestrator"))
                      .host_key(daemon.address(), keys.pub("host"))
                      .build();
  Flow flow(spec, test::test_options());
  // Told by the handshake, not by a timeout: the error is the refusal, not "did not … within".
  REQUIRE_THROWS_WITH(flow.start(), Contains("pea 'there'") && Contains("refused by the daemon") &&
                                        Contains(daemon.address()) && !Contains(" within "));
  CHECK(daemon.logged("warn: refused a connection from 127.0.0.1"));
  CHECK(daemon.logged("is not in the --allow list"));
  CHECK_FALSE(daemon.logged("started pea"));
}

TEST_CASE("a flow that has the wrong key for a daemon cannot reach it, and says so",
          "[hosts][curve]") {
  test::KeyFolder keys;
  CurveKeyPair orchestrator = keys.make("orchestrator");
  CurveKeyPair host = keys.make("host");
  keys.make("other-host");
  test::LocalDaemon daemon(curve_daemon(host, orchestrator.public_key));
  FlowSpec spec = three_pods(daemon.address())
                      .timeout_ready(std::chrono::seconds(3))
                      .curve_key(keys.secret("orchestrator"))
                      .host_key(daemon.address(), keys.pub("other-host"))
                      .build();
  Flow flow(spec, test::test_options());
  REQUIRE_THROWS_WITH(flow.start(), Contains("pea 'there'") && Contains(daemon.address()));
  CHECK_FALSE(daemon.logged("started pea"));
}

TEST_CASE("a daemon with a key refuses a flow without curve:", "[hosts][curve]") {
  test::KeyFolder keys;
  CurveKeyPair orchestrator = keys.make("orchestrator");
  CurveKeyPair host = keys.make("host");
  test::LocalDaemon daemon(curve_daemon(host, orchestrator.public_key));
  FlowSpec spec = three_pods(daemon.address()).timeout_ready(std::chrono::seconds(3)).build();
  Flow flow(spec, test::test_options());
  REQUIRE_THROWS_WITH(flow.start(), Contains("pea 'there'"));
  CHECK(daemon.logged("warn: refused a connection on "));
  CHECK(daemon.logged("the CURVE handshake failed"));
  CHECK_FALSE(daemon.logged("started pea"));
}

TEST_CASE("a daemon that goes away mid-stream: requests end naming the host, close returns",
          "[hosts][death]") {
  auto daemon = std::make_unique<test::LocalDaemon>(insecure_daemon());
  const std::string address = daemon->address();
  Flow flow(three_pods(address).build(), test::test_options());
  flow.start();
  const std::string message = test::run_through_fault(flow, 400, [&] {
    daemon->stop();  // its peas are killed with it
  });
  CHECK_THAT(message, Contains("pea 'there'") && Contains("on host " + address));
  // Close does not wait out the stop grace for the peas it knows are lost with their host.
  flow.close();
  CHECK(test::peas_killed_at_close(flow).empty());
}

TEST_CASE("a daemon stops the peas of an orchestrator that went away", "[hosts][death]") {
  DaemonOptions options = insecure_daemon();
  options.orchestrator_timeout = std::chrono::milliseconds(300);
  test::LocalDaemon daemon(options);
  {
    // Asks for one pea (whose control endpoint answers nobody), then disconnects.
    HandMadeOrchestrator orchestrator(daemon.address());
    orchestrator.launch("lonely", "tcp://127.0.0.1:9");
    orchestrator.read_until([&](const ControlMessage& message) {
      return message.command == daemon_protocol::kLaunched;
    });
  }
  CHECK(daemon.wait_for_log("stopping its", std::chrono::seconds(10)));
  CHECK(daemon.logged("started pea 'lonely'"));
  CHECK(daemon.logged("gone for 300ms: stopping its 1 peas"));
}

TEST_CASE("a flow left unpolled for longer than the timeouts keeps its remote peas",
          "[hosts][death]") {
  DaemonOptions options = insecure_daemon();
  options.orchestrator_timeout = std::chrono::milliseconds(300);
  test::LocalDaemon daemon(options);
  Flow flow(three_pods(daemon.address()).build(), test::test_options());
  flow.start();
  REQUIRE(flow.call(test::text_request("before")).ok());
  // The application is busy elsewhere: nothing polls the flow for longer than the daemon's
  // orchestrator timeout and the flow's own heartbeat timeouts (3 s). Not a synchronisation: the
  // point is that time passes with nobody polling.
  std::this_thread::sleep_for(std::chrono::milliseconds(3500));
  const Response after = flow.call(test::text_request("after"));
  CHECK(after.ok());
  CHECK(after.status().message == "");
  CHECK_FALSE(daemon.logged("stopping its"));
  flow.close();
}

TEST_CASE("a daemon forwards what its pea prints and reports how it ended", "[hosts]") {
  test::LocalDaemon daemon(insecure_daemon());
  HandMadeOrchestrator orchestrator(daemon.address());
  // A pea given an endpoint it cannot use says so on stderr and exits 2.
  orchestrator.launch("confused", "not-an-endpoint");
  std::vector<std::string> lines;
  std::string launched;
  std::optional<PeaEnd> how;
  orchestrator.read_until([&](const ControlMessage& message) {
    if (message.command == daemon_protocol::kLaunched) launched = text_field(message, "pea");
    if (message.command == daemon_protocol::kLog) lines.push_back(text_field(message, "line"));
    if (message.command == daemon_protocol::kExited) how = read_pea_end(message);
    return how.has_value();
  });
  CHECK(launched == "confused");
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Contains("cannot connect to the control endpoint 'not-an-endpoint'"));
  REQUIRE(how);
  CHECK(how->kind == PeaEnd::Kind::exited);
  CHECK(how->code == 2);
  CHECK(how->describe() == "exited with code 2");
}

TEST_CASE("daemon options that cannot work are refused", "[hosts][bad-input]") {
  DaemonOptions none;
  none.listen = "tcp://127.0.0.1:0";
  CHECK_THROWS_WITH(Daemon(none), Contains("--key") && Contains("--insecure"));
  DaemonOptions no_allow;
  no_allow.listen = "tcp://127.0.0.1:0";
  no_allow.key = generate_curve_keys();
  CHECK_THROWS_WITH(Daemon(no_allow), Contains("--allow"));
}

TEST_CASE("a daemon echoes a launch's incarnation and answers a kill for a pea it does not run",
          "[hosts][restart]") {
  test::LocalDaemon daemon(insecure_daemon());
  HandMadeOrchestrator orchestrator(daemon.address());
  orchestrator.launch("confused", "not-an-endpoint", 7);  // exits 2 at once
  std::optional<std::int64_t> launched, exited;
  orchestrator.read_until([&](const ControlMessage& message) {
    const std::int64_t incarnation = integer_field_or(message, daemon_protocol::kIncarnation, -1);
    if (message.command == daemon_protocol::kLaunched) launched = incarnation;
    if (message.command == daemon_protocol::kExited) exited = incarnation;
    return exited.has_value();
  });
  CHECK(launched == 7);
  CHECK(exited == 7);
  // Ended and reported: a kill for it now (or for a pea a restarted daemon never had) is answered,
  // so an orchestrator waiting to restart it does not wait for ever.
  orchestrator.kill("confused", 7);
  std::optional<PeaEnd> how;
  std::int64_t incarnation = 0;
  orchestrator.read_until([&](const ControlMessage& message) {
    if (message.command == daemon_protocol::kExited) {
      how = read_pea_end(message);
      incarnation = integer_field_or(message, daemon_protocol::kIncarnation, -1);
    }
    return how.has_value();
  });
  REQUIRE(how);
  CHECK(how->kind == PeaEnd::Kind::lost);
  CHECK_THAT(how->describe(), Contains("not running on the daemon at tcp://" + daemon.address()));
  CHECK(incarnation == 7);
}

TEST_CASE("restart: on-failure: a pea killed on a daemon comes back through it and serves",
          "[hosts][restart]") {
  test::LocalDaemon daemon(insecure_daemon());
  Flow flow(three_pods(daemon.address()).build(), test::test_options());
  flow.start();
  REQUIRE(flow.call(test::text_request("before")).ok());
  PeaStatus before;
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pea == "there") before = pea;
  }
  REQUIRE(before.pid > 0);
  REQUIRE(::kill(before.pid, SIGKILL) == 0);
  PeaStatus after;
  REQUIRE(test::poll_until(
      flow,
      [&] {
        for (const PeaStatus& pea : flow.status()) {
          if (pea.pea == "there") after = pea;
        }
        return after.state == "running" && after.restarts == 1;
      },
      std::chrono::seconds(10)));
  CHECK(after.pid != before.pid);
  CHECK(after.endpoint == before.endpoint);
  CHECK_THAT(after.last_error,
             Contains("on host " + daemon.address()) && Contains("killed by signal 9"));
  int launches = 0;  // the first launch and the restart, by the same daemon
  for (const std::string& line : daemon.logs()) {
    launches += line.find("info: started pea 'there'") != std::string::npos ? 1 : 0;
  }
  CHECK(launches == 2);
  CHECK(run_requests(flow, 200) == 200);
  flow.close();
  CHECK(flow.close_problems().empty());
}
