// restart: on-failure (docs/YAML.md, "Peas that come back"): a dead replica, lone pea or a pea that
// stopped answering is started again under its own name and the flow serves on without a restart;
// no request is lost or left hanging on the way; a pea that keeps crashing stops at max_restarts
// and the pod is reported failed. Every wait is for an event, with a deadline.
#include <catch2/catch.hpp>

#include <csignal>
#include <map>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "control/control.hpp"
#include "jflow/metrics.hpp"
#include "jflow/plugin.hpp"
#include "support/flow_lookup.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;
using test::pea_status;
using test::pod_health;

namespace {

Request doc_request(int i) {
  Request request = test::text_request("text " + std::to_string(i));
  request.docs[0].id = "doc-" + std::to_string(i);
  return request;
}

bool pod_ready(const Flow& flow, const std::string& pod) {
  return pod_health(flow, pod).ready;
}

// The pea's received bytes as of its last heartbeat (0 until it has sent one).
std::uint64_t received_by(const Flow& flow, const std::string& pea) {
  for (const PeaMetrics& metrics : flow.metrics().peas) {
    if (metrics.pea == pea) return metrics.received_bytes;
  }
  return 0;
}

FlowSpec flow_from_yaml(const std::string& text) {
  return parse_flow_yaml(text, "restart-test.yml", test::no_env);
}

}  // namespace

TEST_CASE(
    "restart: on-failure: SIGKILL of a replica during 10000 requests loses none and the pod "
    "gets its replica back",
    "[integration][restart][replicas]") {
  // round_robin, so that requests after the restart visibly reach the restarted replica.
  Flow flow(flow_from_yaml("version: 1\npods:\n"
                           "  - name: p\n    parallel: 3\n    runtime: process\n"
                           "    scheduling: round_robin\n    restart: on-failure\n"),
            test::test_options());
  flow.start();
  const int victim = pea_status(flow, "p/1").pid;
  REQUIRE(victim > 0);
  constexpr int kRequests = 10000;
  int ended = 0, ok = 0;
  std::map<std::string, int> failures;
  std::uint64_t received_before_kill = 0;
  for (int i = 0; i < kRequests; ++i) {
    flow.submit(test::text_request(std::to_string(i)), [&](Response&& r) {
      ++ended;
      r.ok() ? ++ok : ++failures[r.status().message];
    });
    if (i == 2000) {
      REQUIRE(test::poll_until(
          flow, [&] { return ok >= 500 && received_by(flow, "p/1") > 0; },
          std::chrono::seconds(10)));
      received_before_kill = received_by(flow, "p/1");  // ~1/3 of 500 requests at least
      REQUIRE(::kill(victim, SIGKILL) == 0);
    }
  }
  REQUIRE(test::poll_until(
      flow, [&] { return ended == kRequests; }, std::chrono::seconds(60)));
  for (const auto& [message, count] : failures) INFO(count << " x " << message);
  // Requests without a deadline that the dead replica held went to a live one: none is lost.
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
  CHECK_THAT(p1.last_error, Contains("signal 9"));
  CHECK(pod_health(flow, "p").peas_alive == 5);  // head, 3 replicas, tail
  CHECK(pod_ready(flow, "p"));

  // It serves again: once its head counts it in again, round robin over 3 live replicas gives
  // it a third of the requests.
  REQUIRE(test::call_until_routed_through(flow, "p/1", std::chrono::seconds(10)));
  std::map<std::string, int> by_replica;
  for (int i = 0; i < 30; ++i) {
    Response r = flow.call(test::text_request("after " + std::to_string(i)));
    REQUIRE(r.ok());
    for (const Route& route : r.envelope.routes) ++by_replica[route.pea];
  }
  CHECK(by_replica["p/1"] == 10);
  // Its byte counter went on from the dead pea's: the new one's 10 requests alone are far fewer
  // bytes than what the dead one had reported, so a counter that started again fails this.
  CHECK(test::poll_until(
      flow, [&] { return received_by(flow, "p/1") > received_before_kill; },
      std::chrono::seconds(10)));
  flow.close();
  CHECK_FALSE(test::process_exists(victim));
}

TEST_CASE(
    "restart: on-failure: a killed lone pea with a workspace comes back: what was in flight "
    "ends naming it and later requests succeed",
    "[integration][restart][single]") {
  test::TempDir dir("restart-workspace");
  for (const Transport transport : {Transport::tcp, Transport::ipc}) {
    DYNAMIC_SECTION(transport_name(transport)) {
      // DocStore persists into the workspace and takes its lock: the restart opens it again,
      // which needs the dead pea's lock released by its exit.
      Flow flow(FlowBuilder()
                    .transport(transport)
                    .workspace(dir.path() / std::string(transport_name(transport)))
                    .add("in", "_pass", Runtime::process)
                    .add("docs", "DocStore", Runtime::process)
                    .add("out", "- !WaitDriver {duration: 1ms}", Runtime::process)
                    .build(),
                test::test_options());
      flow.start();
      const int victim = pea_status(flow, "docs").pid;
      constexpr int kRequests = 2000;
      int ended = 0, ok = 0, lost = 0, other = 0;
      for (int i = 0; i < kRequests; ++i) {
        flow.submit(doc_request(i), [&](Response&& r) {
          ++ended;
          if (r.ok()) {
            ++ok;
          } else if (r.status().code == StatusCode::pea_lost) {
            ++lost;
            CHECK(r.status().pod == "docs");
            CHECK_THAT(r.status().message, Contains("pea 'docs'"));
          } else {
            ++other;
            INFO(r.status().message);
            CHECK(false);
          }
        });
        if (i == 300) {
          REQUIRE(test::poll_until(
              flow, [&] { return ok >= 50; }, std::chrono::seconds(10)));
          REQUIRE(::kill(victim, SIGKILL) == 0);
          // Seen dead: the pod cannot serve, and says which pea and why.
          REQUIRE(test::poll_until(
              flow, [&] { return !pod_ready(flow, "docs"); }, std::chrono::seconds(5)));
          CHECK_THAT(pod_health(flow, "docs").why,
                     Contains("pea 'docs' restarting") && Contains("signal 9"));
        }
      }
      REQUIRE(test::poll_until(
          flow, [&] { return ended == kRequests; }, std::chrono::seconds(30)));
      CHECK(ok + lost == kRequests);
      CHECK(lost > 0);
      CHECK(other == 0);

      REQUIRE(test::poll_until(
          flow, [&] { return pod_ready(flow, "docs"); }, std::chrono::seconds(10)));
      const PeaStatus docs = pea_status(flow, "docs");
      CHECK(docs.state == "running");
      CHECK(docs.restarts == 1);
      CHECK(docs.pid != victim);
      // Its neighbours reconnected to the endpoint it bound again: every later request succeeds.
      for (int i = 0; i < 200; ++i) REQUIRE(flow.call(doc_request(kRequests + i)).ok());
      flow.close();
      CHECK(flow.close_problems().empty());
    }
  }
}

TEST_CASE("restart: on-failure: a killed head and a killed tail come back and the pod serves",
          "[integration][restart][head]") {
  for (const std::string victim_name : {"p/head", "p/tail"}) {
    DYNAMIC_SECTION(victim_name) {
      Flow flow(flow_from_yaml("version: 1\npods:\n"
                               "  - name: p\n    parallel: 2\n    runtime: process\n"
                               "    scheduling: round_robin\n"),
                test::test_options());
      flow.start();
      REQUIRE(flow.call(test::text_request("before")).ok());
      const int victim = pea_status(flow, victim_name).pid;
      REQUIRE(::kill(victim, SIGKILL) == 0);
      REQUIRE(test::poll_until(
          flow, [&] { return pea_status(flow, victim_name).restarts == 1 && pod_ready(flow, "p"); },
          std::chrono::seconds(10)));
      // Both replicas still serve (after a head restart they gave the new head credit).
      for (const char* replica : {"p/0", "p/1"})
        REQUIRE(test::call_until_routed_through(flow, replica, std::chrono::seconds(10)));
      std::map<std::string, int> by_replica;
      for (int i = 0; i < 20; ++i) {
        Response r = flow.call(test::text_request("after"), std::chrono::seconds(10));
        REQUIRE(r.ok());
        for (const Route& route : r.envelope.routes) ++by_replica[route.pea];
      }
      CHECK(by_replica["p/0"] == 10);
      CHECK(by_replica["p/1"] == 10);
      flow.close();
    }
  }
}

namespace {

// Waits until the process `pid` (a child of the flow's) has exited, without reaping it: the flow
// reaps its peas. A pidfd turns readable at the exit, when the kernel has closed its sockets.
bool exited_within(int pid, std::chrono::milliseconds limit) {
  const int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd < 0) return false;
  pollfd item{fd, POLLIN, 0};
  const bool exited = ::poll(&item, 1, static_cast<int>(limit.count())) == 1;
  ::close(fd);
  return exited;
}

// The port of a tcp://127.0.0.1:PORT endpoint.
int port_of(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

// Holds a TCP port on 127.0.0.1, listening, as another program that took the port would: a bind
// there fails (EADDRINUSE) even with SO_REUSEADDR, which libzmq sets. (The dead pea's closed
// connections are in TIME_WAIT on that port, so this needs SO_REUSEADDR too.)
class PortHolder {
 public:
  explicit PortHolder(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    const int on = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);  // as libzmq binds
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    held_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0 &&
            ::listen(fd_, 16) == 0;
  }
  ~PortHolder() { ::close(fd_); }
  PortHolder(const PortHolder&) = delete;
  PortHolder& operator=(const PortHolder&) = delete;
  bool held() const { return held_; }

 private:
  int fd_;
  bool held_ = false;
};

}  // namespace

TEST_CASE(
    "restart: on-failure: a pea whose old port was taken meanwhile binds another and what sent "
    "to it follows",
    "[integration][restart][rewire]") {
  // in: an entry pea (the gateway sends to it); mid/head: a head (in's output sends to it, its
  // replicas keep its router); out: the last pea (mid's tail sends to it).
  const std::string victim_name = GENERATE(as<std::string>{}, "in", "mid/head", "out");
  INFO("victim " << victim_name);
  Flow flow(FlowBuilder()
                .transport(Transport::tcp)
                .add("in", "_pass", Runtime::process)
                .add("mid", "_pass", Runtime::process)
                .parallel(2)
                .scheduling(Scheduling::round_robin)
                .add("out", "_pass", Runtime::process)
                .build(),
            test::test_options());
  flow.start();
  for (int i = 0; i < 20; ++i) REQUIRE(flow.call(doc_request(i)).ok());
  const PeaStatus before = pea_status(flow, victim_name);
  REQUIRE(before.endpoint.rfind("tcp://127.0.0.1:", 0) == 0);
  REQUIRE(::kill(before.pid, SIGKILL) == 0);
  REQUIRE(exited_within(before.pid, std::chrono::seconds(10)));
  const PortHolder taken(port_of(before.endpoint));
  REQUIRE(taken.held());

  REQUIRE(test::poll_until(
      flow,
      [&] {
        return pea_status(flow, victim_name).restarts == 1 && pod_ready(flow, "mid") &&
               pod_ready(flow, "in") && pod_ready(flow, "out");
      },
      std::chrono::seconds(15)));
  const PeaStatus after = pea_status(flow, victim_name);
  CHECK(after.state == "running");
  CHECK(after.endpoint != before.endpoint);
  // Everything that sent to the old endpoint sends to the new one: every request succeeds, over
  // both replicas.
  std::map<std::string, int> by_replica;
  for (int i = 0; i < 200; ++i) {
    Response r = flow.call(doc_request(100 + i), std::chrono::seconds(10));
    INFO(r.status().message);
    REQUIRE(r.ok());
    for (const Route& route : r.envelope.routes) ++by_replica[route.pea];
  }
  CHECK(by_replica["mid/0"] > 0);
  CHECK(by_replica["mid/1"] > 0);
  flow.close();
  CHECK(flow.close_problems().empty());
}

TEST_CASE("a pea that keeps crashing stops at max_restarts and its pod is reported failed",
          "[integration][restart][cap]") {
  test::TempDir dir("restart-cap");
  const std::string marker = (dir.path() / "configured").string();
  Flow flow(flow_from_yaml("version: 1\nplugins: [" + std::string(JFLOW_CRASH_PLUGIN) +
                           "]\npods:\n"
                           "  - name: crashy\n    runtime: process\n"
                           "    uses: '- !CrashDriver {marker: " +
                           marker +
                           "}'\n"
                           "    max_restarts: 3\n    restart_window: 1m\n"),
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
  // The metrics count the same restarts (jflow_pea_restarts_total).
  std::uint64_t counted = 0;
  for (const PeaMetrics& pea : flow.metrics().peas) {
    if (pea.pea == "crashy") counted = pea.restarts;
  }
  CHECK(counted == 3);
  CHECK_THAT(
      prometheus_text(flow.metrics()),
      Contains("jflow_pea_restarts_total{flow=\"restart-test\",pod=\"crashy\",pea=\"crashy\"} 3"));
  CHECK_THAT(crashy.last_error,
             Contains("signal 6") && Contains("restarted 3 times within 1m (max_restarts)"));
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
    "SIGSTOP of a replica past the heartbeat timeout: counted dead and restarted and SIGCONT "
    "duplicates no reply",
    "[integration][restart][heartbeat]") {
  FlowOptions options = test::test_options();
  options.heartbeat_timeout = std::chrono::seconds(1);
  Flow flow(flow_from_yaml("version: 1\npods:\n"
                           "  - name: p\n    parallel: 2\n    runtime: process\n"
                           "    scheduling: round_robin\n"
                           "    uses: '- !WaitDriver {duration: 2ms}'\n"),
            options);
  flow.start();
  const int victim = pea_status(flow, "p/1").pid;
  constexpr int kRequests = 1000;
  std::map<std::string, int> replies;  // request id → callbacks
  int ended = 0, ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    flow.submit(test::text_request(std::to_string(i)), [&](Response&& r) {
      ++ended;
      ++replies[r.envelope.request_id];
      ok += r.ok() ? 1 : 0;
    });
    if (i == 100) {
      REQUIRE(test::poll_until(
          flow, [&] { return ok >= 20; }, std::chrono::seconds(10)));
      REQUIRE(::kill(victim, SIGSTOP) == 0);
    }
  }
  // Noticed by its silence, killed, and started again.
  REQUIRE(test::poll_until(
      flow,
      [&] {
        const PeaStatus p1 = pea_status(flow, "p/1");
        return p1.restarts == 1 && p1.state == "running";
      },
      std::chrono::seconds(20)));
  CHECK_THAT(pea_status(flow, "p/1").last_error, Contains("sent no heartbeat"));
  ::kill(victim, SIGCONT);  // it was killed: nothing of it may answer any more
  REQUIRE(test::poll_until(
      flow, [&] { return ended == kRequests; }, std::chrono::seconds(30)));
  for (int i = 0; i < 50; ++i) REQUIRE(flow.call(test::text_request("after")).ok());
  CHECK(ok == kRequests);
  CHECK(replies.size() == static_cast<std::size_t>(kRequests));
  for (const auto& [id, count] : replies) {
    INFO(id);
    CHECK(count == 1);
  }
  CHECK_FALSE(test::process_exists(victim));
  flow.close();
}

TEST_CASE("restart keys: defaults and values from a pod and from with: and from FlowBuilder",
          "[spec][restart]") {
  const FlowSpec plain = flow_from_yaml("version: 1\npods:\n  - name: a\n");
  CHECK(plain.pods[0].restart == RestartPolicy::on_failure);
  CHECK(plain.pods[0].max_restarts == 5);
  CHECK(plain.pods[0].restart_window == std::chrono::minutes(1));
  const FlowSpec with = flow_from_yaml(
      "version: 1\nwith: {restart: never}\npods:\n  - name: a\n"
      "  - name: b\n    restart: on-failure\n    max_restarts: 2\n    restart_window: 10s\n");
  CHECK(with.pods[0].restart == RestartPolicy::never);
  CHECK(with.pods[1].restart == RestartPolicy::on_failure);
  CHECK(with.pods[1].max_restarts == 2);
  CHECK(with.pods[1].restart_window == std::chrono::seconds(10));
  const FlowSpec built = FlowBuilder().add("a").restart(RestartPolicy::never).build();
  CHECK(built.pods[0].restart == RestartPolicy::never);
  CHECK_THROWS_WITH(
      FlowBuilder().add("a").restart(RestartPolicy::on_failure, 5, Duration::zero()).build(),
      Contains("restart_window must be greater than 0"));
}
