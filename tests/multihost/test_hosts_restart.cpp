// restart: on-failure for peas on another host (docs/YAML.md, "Peas that come back"): a pea
// process that dies on a `jflow daemon` host is started again through the same daemon, under its
// own name and on its old address; no request is lost or left hanging; the restart is counted; a
// pea that keeps crashing there stops at max_restarts and its pod is reported failed. A daemon
// that dies is no pea restart: the pod is reported failed, naming the host.
// Hosts are network namespaces (VirtualHosts), so pids are this machine's: the test kills a pea
// by the pid its daemon reported. Needs root; without, each test passes with a warning saying why.
// Every wait is for an event, with a deadline.
#include <catch2/catch.hpp>

#include <csignal>
#include <map>

#include "control/control.hpp"
#include "jflow/metrics.hpp"
#include "support/flow_lookup.hpp"
#include "support/host_daemons.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"
#include "support/virtual_hosts.hpp"

using namespace jflow;
using Catch::Matchers::Contains;
using test::pea_status;
using test::pod_health;
using test::VirtualHosts;

namespace {

std::uint64_t restarts_counted(const Flow& flow, const std::string& pea) {
  for (const PeaMetrics& metrics : flow.metrics().peas) {
    if (metrics.pea == pea) return metrics.restarts;
  }
  return 0;
}

// `pod_keys` (a pod, as YAML) between two local peas, on a flow whose host: is the orchestrator's
// address; `flow_keys` adds flow-level YAML (curve:).
FlowSpec remote_pod_flow(const VirtualHosts& hosts, const std::string& pod_keys,
                         const std::string& flow_keys = "") {
  return parse_flow_yaml("version: 1\nhost: " + hosts.orchestrator_address() + "\n" + flow_keys +
                             "pods:\n"
                             "  - name: in\n    uses: _pass\n" +
                             pod_keys + "  - name: out\n    uses: _pass\n",
                         "hosts-restart.yml", test::no_env);
}

// Starts a daemon again at `daemon`'s address in host 0 and checks that the flow's pod `middle`
// comes back on it, restarted once at its old endpoint, without the flow restarting, and serves.
void expect_back_on_new_daemon(VirtualHosts& hosts, const test::HostDaemon& daemon, Flow& flow,
                               const std::string& endpoint) {
  const std::string port = daemon.address.substr(daemon.address.rfind(':') + 1);
  const test::HostDaemon again = test::start_daemon(hosts, 0, nullptr, port);
  REQUIRE(again.address == daemon.address);
  REQUIRE(test::poll_until(
      flow,
      [&] {
        const PeaStatus middle = pea_status(flow, "middle");
        return middle.state == "running" && middle.restarts == 1;
      },
      std::chrono::seconds(20)));
  CHECK(pea_status(flow, "middle").endpoint == endpoint);
  CHECK(pea_status(flow, "in").restarts == 0);  // only the pea came back, not the flow
  REQUIRE(test::poll_until(
      flow, [&] { return pod_health(flow, "middle").ready; }, std::chrono::seconds(10)));
  for (int i = 0; i < 50; ++i) REQUIRE(flow.call(test::text_request("after")).ok());
}

}  // namespace

TEST_CASE(
    "restart: on-failure on a daemon host: a killed replica comes back through its daemon and "
    "no request is lost",
    "[multihost][restart][replicas]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  // Over CURVE too: the relaunched replica gets the flow's session keys again.
  const bool curve = GENERATE(false, true);
  INFO((curve ? "curve" : "plain tcp"));
  VirtualHosts hosts(1);
  test::KeyFolder keys;
  keys.make("orchestrator");
  const test::HostDaemon daemon = test::start_daemon(hosts, 0, curve ? &keys : nullptr);
  const std::string curve_keys = "curve:\n  key: " + keys.secret("orchestrator").string() +
                                 "\n  hosts:\n    " + daemon.address + ": " +
                                 keys.pub("h0").string() + "\n";
  Flow flow(remote_pod_flow(hosts,
                            "  - name: p\n    parallel: 3\n    host: " + daemon.address +
                                "\n    scheduling: round_robin\n    restart: on-failure\n",
                            curve ? curve_keys : ""),
            test::test_options());
  flow.start();
  const int victim = pea_status(flow, "p/1").pid;
  REQUIRE(victim > 0);
  constexpr int kRequests = 4000;
  int ended = 0, ok = 0;
  std::map<std::string, int> failures;
  for (int i = 0; i < kRequests; ++i) {
    flow.submit(test::text_request(std::to_string(i)), [&](Response&& r) {
      ++ended;
      r.ok() ? ++ok : ++failures[r.status().message];
    });
    if (i == 1000) {
      REQUIRE(test::poll_until(
          flow, [&] { return ok >= 300; }, std::chrono::seconds(20)));
      REQUIRE(::kill(victim, SIGKILL) == 0);
    }
  }
  REQUIRE(test::poll_until(
      flow, [&] { return ended == kRequests; }, std::chrono::seconds(60)));
  for (const auto& [message, count] : failures) INFO(count << " x " << message);
  // What the dead replica held went to the live ones (no deadline): none is lost.
  CHECK(ok == kRequests);

  REQUIRE(test::poll_until(
      flow,
      [&] {
        const PeaStatus p1 = pea_status(flow, "p/1");
        return p1.state == "running" && p1.restarts == 1;
      },
      std::chrono::seconds(10)));
  const PeaStatus p1 = pea_status(flow, "p/1");
  CHECK(p1.pid != victim);
  CHECK_THAT(p1.last_error, Contains("signal 9") && Contains("on host " + daemon.address));
  CHECK(pod_health(flow, "p").peas_alive == 5);  // head, 3 replicas, tail
  CHECK(pod_health(flow, "p").ready);
  CHECK(restarts_counted(flow, "p/1") == 1);
  // The restarted replica serves: once its head counts it in again, round robin over 3 live
  // replicas gives it a third.
  REQUIRE(test::call_until_routed_through(flow, "p/1", std::chrono::seconds(10)));
  std::map<std::string, int> by_replica;
  for (int i = 0; i < 30; ++i) {
    Response r = flow.call(test::text_request("after " + std::to_string(i)));
    REQUIRE(r.ok());
    for (const Route& route : r.envelope.routes) ++by_replica[route.pea];
  }
  CHECK(by_replica["p/1"] == 10);
  flow.close();
  CHECK(flow.close_problems().empty());
  CHECK_FALSE(test::process_exists(victim));
}

TEST_CASE(
    "restart: on-failure on a daemon host: a killed lone pea binds its old address again and "
    "its neighbours reconnect",
    "[multihost][restart][single]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  VirtualHosts hosts(1);
  const test::HostDaemon daemon = test::start_daemon(hosts, 0, nullptr);
  Flow flow(remote_pod_flow(hosts,
                            "  - name: middle\n    uses: '- !WaitDriver {duration: 1ms}'\n"
                            "    host: " +
                                daemon.address + "\n"),
            test::test_options());
  flow.start();
  const PeaStatus before = pea_status(flow, "middle");
  REQUIRE(before.pid > 0);
  CHECK_THAT(before.endpoint, Contains(hosts.address(0)));
  constexpr int kRequests = 1500;
  int ended = 0, ok = 0, lost = 0, other = 0;
  for (int i = 0; i < kRequests; ++i) {
    flow.submit(test::text_request(std::to_string(i)), [&](Response&& r) {
      ++ended;
      if (r.ok()) {
        ++ok;
      } else if (r.status().code == StatusCode::pea_lost) {
        ++lost;
        CHECK(r.status().pod == "middle");
        CHECK_THAT(r.status().message, Contains("pea 'middle'"));
      } else {
        ++other;
        INFO(r.status().message);
        CHECK(false);
      }
    });
    if (i == 300) {
      REQUIRE(test::poll_until(
          flow, [&] { return ok >= 50; }, std::chrono::seconds(20)));
      REQUIRE(::kill(before.pid, SIGKILL) == 0);
      // Seen dead through its daemon's report: the pod cannot serve, and says which pea and why.
      REQUIRE(test::poll_until(
          flow, [&] { return !pod_health(flow, "middle").ready; }, std::chrono::seconds(5)));
      CHECK_THAT(pod_health(flow, "middle").why, Contains("pea 'middle' restarting") &&
                                                     Contains("signal 9") &&
                                                     Contains("on host " + daemon.address));
    }
  }
  REQUIRE(test::poll_until(
      flow, [&] { return ended == kRequests; }, std::chrono::seconds(30)));
  // In flight in the dead pea, or sent while it restarted: ended naming it; the rest answered.
  CHECK(ok + lost == kRequests);
  CHECK(lost > 0);
  CHECK(other == 0);

  REQUIRE(test::poll_until(
      flow, [&] { return pod_health(flow, "middle").ready; }, std::chrono::seconds(10)));
  const PeaStatus after = pea_status(flow, "middle");
  CHECK(after.state == "running");
  CHECK(after.restarts == 1);
  CHECK(after.pid != before.pid);
  CHECK(after.endpoint == before.endpoint);  // the same tcp port on the same host
  CHECK(restarts_counted(flow, "middle") == 1);
  for (int i = 0; i < 200; ++i) REQUIRE(flow.call(test::text_request("after")).ok());
  flow.close();
  CHECK(flow.close_problems().empty());
}

TEST_CASE(
    "a pea that keeps crashing on a daemon host stops at max_restarts and its pod is reported "
    "failed",
    "[multihost][restart][cap]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  VirtualHosts hosts(1);
  const test::HostDaemon daemon = test::start_daemon(hosts, 0, nullptr);
  test::TempDir dir("hosts-restart-cap");  // the namespaces share this machine's files
  const std::string marker = (dir.path() / "configured").string();
  Flow flow(parse_flow_yaml("version: 1\nhost: " + hosts.orchestrator_address() + "\nplugins: [" +
                                std::string(JFLOW_CRASH_PLUGIN) +
                                "]\npods:\n"
                                "  - name: crashy\n    host: " +
                                daemon.address + "\n    uses: '- !CrashDriver {marker: " + marker +
                                "}'\n    max_restarts: 3\n    restart_window: 1m\n",
                            "hosts-restart.yml", test::no_env),
            test::test_options());
  flow.start();
  REQUIRE(flow.call(test::text_request("first")).ok());
  // Every pea configured after the first aborts: each restart crashes at start-up.
  REQUIRE(::kill(pea_status(flow, "crashy").pid, SIGKILL) == 0);
  REQUIRE(test::poll_until(
      flow, [&] { return pea_status(flow, "crashy").state == "failed"; },
      std::chrono::seconds(30)));
  const PeaStatus crashy = pea_status(flow, "crashy");
  CHECK(crashy.restarts == 3);
  CHECK(restarts_counted(flow, "crashy") == 3);
  CHECK_THAT(crashy.last_error, Contains("on host " + daemon.address) && Contains("signal 6") &&
                                    Contains("restarted 3 times within 1m (max_restarts)"));
  const PodHealth health = pod_health(flow, "crashy");
  CHECK_FALSE(health.ready);
  CHECK_THAT(health.why, Contains("pea 'crashy' failed") && Contains("max_restarts"));
  // Requests fail at once, naming the pea and its last crash.
  Response late = flow.call(test::text_request("late"));
  CHECK(late.status().code == StatusCode::pea_lost);
  CHECK(late.status().pod == "crashy");
  CHECK_THAT(late.status().message, Contains("pea 'crashy'") && Contains("max_restarts"));
  flow.close();
}

TEST_CASE(
    "a daemon that dies and comes back after it counted as gone gets the flow's peas back "
    "without restarting the flow",
    "[multihost][restart][daemon]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  VirtualHosts hosts(1);
  const test::HostDaemon daemon = test::start_daemon(hosts, 0, nullptr);
  FlowOptions options = test::test_options();
  options.heartbeat_timeout = std::chrono::seconds(1);
  Flow flow(remote_pod_flow(hosts,
                            "  - name: middle\n    uses: '- !WaitDriver {duration: 1ms}'\n"
                            "    host: " +
                                daemon.address + "\n    restart: on-failure\n"),
            options);
  flow.start();
  REQUIRE(flow.call(test::text_request("before")).ok());
  const std::string endpoint = pea_status(flow, "middle").endpoint;
  // Only the daemon is killed; its peas die with it (they are killed when their parent dies).
  REQUIRE(::kill(daemon.pid, SIGKILL) == 0);
  REQUIRE(hosts.wait_exit(daemon.pid, std::chrono::steady_clock::now() + std::chrono::seconds(5)));
  // Silent for 3 s: the host counts as gone, and the pod says so while it waits for it.
  REQUIRE(test::poll_until(
      flow,
      [&] {
        return pea_status(flow, "middle").last_error.find("has been silent") != std::string::npos;
      },
      std::chrono::seconds(20)));
  const PeaStatus waiting = pea_status(flow, "middle");
  CHECK(waiting.restarts == 0);
  CHECK_THAT(waiting.last_error,
             Contains("the daemon at " + daemon.address) &&
                 Contains("restarting it when a daemon answers at " + daemon.address + " again"));
  const PodHealth health = pod_health(flow, "middle");
  CHECK_FALSE(health.ready);
  CHECK_THAT(health.why, Contains(daemon.address));
  Response late = flow.call(test::text_request("late"));
  CHECK(late.status().code == StatusCode::pea_lost);
  CHECK_THAT(late.status().message, Contains("pea 'middle'") && Contains(daemon.address));

  // As Kubernetes restarts a daemon's container: a new daemon at the same address.
  expect_back_on_new_daemon(hosts, daemon, flow, endpoint);
  CHECK(restarts_counted(flow, "middle") == 1);
  flow.close();
  CHECK(test::peas_killed_at_close(flow).empty());
}

TEST_CASE(
    "a daemon started again at its address before it counts as gone gets the flow's peas back "
    "without restarting the flow",
    "[multihost][restart][daemon]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  VirtualHosts hosts(1);
  const test::HostDaemon daemon = test::start_daemon(hosts, 0, nullptr);
  FlowOptions options = test::test_options();
  // Shorter than the 3 s after which a silent daemon counts as gone: the peas that died with the
  // daemon are seen dead, and due to restart, while the new daemon is already there.
  options.heartbeat_timeout = std::chrono::seconds(1);
  Flow flow(remote_pod_flow(
                hosts, "  - name: middle\n    uses: _pass\n    host: " + daemon.address + "\n"),
            options);
  flow.start();
  REQUIRE(flow.call(test::text_request("before")).ok());
  const std::string endpoint = pea_status(flow, "middle").endpoint;
  REQUIRE(::kill(daemon.pid, SIGKILL) == 0);
  REQUIRE(hosts.wait_exit(daemon.pid, std::chrono::steady_clock::now() + std::chrono::seconds(5)));
  // The pending restart asks the new daemon about the old pea ("not running on the daemon at …")
  // and then launches it there.
  expect_back_on_new_daemon(hosts, daemon, flow, endpoint);
  flow.close();
}
