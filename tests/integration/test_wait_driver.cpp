// WaitDriver defers without blocking its pea: a request that arrives during another's wait is
// served meanwhile and overtakes it.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "support/test_support.hpp"

using namespace jflow;

TEST_CASE("a request arriving during a wait overtakes the waiting one", "[integration][wait]") {
  auto runtime = GENERATE(Runtime::thread, Runtime::process);
  // Index requests wait 400ms in the pod; search requests pass straight through the same pea.
  FlowSpec spec =
      FlowBuilder()
          .add("pod", "index: [!WaitDriver {duration: 400ms}]\nsearch: [!ForwardDriver {}]",
               runtime)
          .build();
  Flow flow(spec, test::test_options());
  flow.start();
  std::vector<std::string> order;
  Route slow_hop, fast_hop;
  flow.submit(test::text_request("slow", RequestType::index), [&](Response&& r) {
    CHECK(r.ok());
    REQUIRE(r.envelope.routes.size() == 1);
    slow_hop = r.envelope.routes[0];
    order.push_back("index");
  });
  flow.submit(test::text_request("fast", RequestType::search), [&](Response&& r) {
    CHECK(r.ok());
    REQUIRE(r.envelope.routes.size() == 1);
    fast_hop = r.envelope.routes[0];
    order.push_back("search");
  });
  flow.wait_all();
  REQUIRE(order == std::vector<std::string>{"search", "index"});
  // The pea took the search in, and sent it on, while it held the index request: the search's
  // stay in the pea lies inside the index request's.
  CHECK(slow_hop.start_ns <= fast_hop.start_ns);
  CHECK(fast_hop.end_ns <= slow_hop.end_ns);
  flow.close();
}

TEST_CASE("many waiting requests overlap instead of queueing", "[integration][wait]") {
  // 20 requests each waiting 300ms: the pea holds them all at once. Each reply's route says when
  // the pea took its request in and when it sent it on; held at once, every request was taken in
  // before any was sent on (one at a time, each would be taken in after the one before left).
  Flow flow(FlowBuilder().add("pod", "- !WaitDriver {duration: 300ms}").build(),
            test::test_options());
  flow.start();
  int ok = 0;
  std::int64_t last_in = 0;
  std::int64_t first_out = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < 20; ++i) {
    flow.submit(test::text_request("x"), [&](Response&& r) {
      ok += r.ok();
      REQUIRE(r.envelope.routes.size() == 1);
      last_in = std::max(last_in, r.envelope.routes[0].start_ns);
      first_out = std::min(first_out, r.envelope.routes[0].end_ns);
    });
  }
  flow.wait_all();
  CHECK(ok == 20);
  CHECK(last_in < first_out);
  flow.close();
}
