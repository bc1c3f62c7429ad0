// WaitDriver defers without blocking its pea: a request that arrives during another's wait is
// served meanwhile and overtakes it.
#include <catch2/catch.hpp>

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
  auto sent = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration waited{};
  flow.submit(test::text_request("slow", RequestType::index), [&](Response&& r) {
    CHECK(r.ok());
    waited = std::chrono::steady_clock::now() - sent;
    order.push_back("index");
  });
  flow.submit(test::text_request("fast", RequestType::search), [&](Response&& r) {
    CHECK(r.ok());
    order.push_back("search");
  });
  flow.wait_all();
  REQUIRE(order == std::vector<std::string>{"search", "index"});
  CHECK(waited >= std::chrono::milliseconds(400));  // the wait really happened
  flow.close();
}

TEST_CASE("many waiting requests overlap instead of queueing", "[integration][wait]") {
  // 20 requests each waiting 300ms finish together: the pea holds them all at once.
  Flow flow(FlowBuilder().add("pod", "- !WaitDriver {duration: 300ms}").build(),
            test::test_options());
  flow.start();
  int ok = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i)
    flow.submit(test::text_request("x"), [&](Response&& r) { ok += r.ok(); });
  flow.wait_all();
  auto took = std::chrono::steady_clock::now() - start;
  CHECK(ok == 20);
  // Serially this would take 6s; a generous bound still proves the waits overlapped.
  CHECK(took < std::chrono::seconds(3));
  flow.close();
}
