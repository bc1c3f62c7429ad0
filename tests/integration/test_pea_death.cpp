// A pea killed mid-stream is noticed: every request ends (result or an error naming the pea),
// later requests fail fast instead of hanging, close returns promptly, and no process remains.
#include <catch2/catch.hpp>

#include <csignal>

#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

TEST_CASE("restart: never: SIGKILL of a pea mid-stream ends every request and leaves no process",
          "[integration][death]") {
  FlowSpec spec = FlowBuilder()
                      .add("head", "_pass", Runtime::process)
                      .add("middle", "- !WaitDriver {duration: 20ms}", Runtime::process)
                      .restart(RestartPolicy::never)
                      .add("tail", "_pass", Runtime::process)
                      .build();
  Flow flow(spec, test::test_options());
  flow.start();
  std::vector<int> pids;
  int middle_pid = 0;
  for (const PeaStatus& pea : flow.status()) {
    pids.push_back(pea.pid);
    if (pea.pod == "middle") middle_pid = pea.pid;
  }
  REQUIRE(middle_pid > 0);

  constexpr int kRequests = 500;
  int ended = 0, ok = 0, lost = 0, other = 0;
  for (int i = 0; i < kRequests; ++i) {
    flow.submit(test::text_request(std::to_string(i)), [&](Response&& r) {
      ++ended;
      if (r.ok()) {
        ++ok;
      } else if (r.status().code == StatusCode::pea_lost) {
        ++lost;
        CHECK(r.status().pod == "middle");
        CHECK_THAT(r.status().message, Contains("pea 'middle'") && Contains("signal 9"));
      } else {
        ++other;
      }
    });
    if (i == 50) {
      REQUIRE(test::poll_until(
          flow, [&] { return ok >= 10; }, std::chrono::seconds(10)));
      ::kill(middle_pid, SIGKILL);
    }
  }
  REQUIRE(test::poll_until(
      flow, [&] { return ended == kRequests; }, std::chrono::seconds(10)));
  CHECK(ok >= 10);
  CHECK(lost > 0);
  CHECK(other == 0);
  CHECK(ok + lost == kRequests);

  // The flow knows it is broken: a new request fails at once, naming the dead pea.
  Response late = flow.call(test::text_request("after"));
  CHECK(late.status().code == StatusCode::pea_lost);
  CHECK_THAT(late.status().message, Contains("pea 'middle'"));

  bool middle_reported = false;
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pod == "middle") {
      middle_reported = !pea.alive && pea.state == "dead" && !pea.last_error.empty();
    }
  }
  CHECK(middle_reported);

  // Close does not wait out the stop grace for a pea it knows is dead: no pea is reported
  // killed at close.
  flow.close();
  CHECK(test::peas_killed_at_close(flow).empty());
  for (int pid : pids) CHECK_FALSE(test::process_exists(pid));
}

TEST_CASE("closing a healthy process flow stops and reaps every pea", "[integration][death]") {
  Flow flow(
      FlowBuilder().add("a", "_pass", Runtime::process).add("b", "_pass", Runtime::process).build(),
      test::test_options());
  flow.start();
  std::vector<int> pids;
  for (const PeaStatus& pea : flow.status()) pids.push_back(pea.pid);
  REQUIRE(flow.call(test::text_request("x")).ok());
  flow.close();
  for (int pid : pids) CHECK_FALSE(test::process_exists(pid));
}

TEST_CASE("close drains requests in flight before stopping", "[integration][death]") {
  Flow flow(FlowBuilder().add("slow", "- !WaitDriver {duration: 200ms}", Runtime::process).build(),
            test::test_options());
  flow.start();
  int ok = 0;
  for (int i = 0; i < 50; ++i)
    flow.submit(test::text_request("x"), [&](Response&& r) { ok += r.ok(); });
  flow.close();  // no wait_all: close itself must deliver every reply
  CHECK(ok == 50);
}
