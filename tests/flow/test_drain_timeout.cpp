// A request still in the flow when the drain's budget (close_timeout) is spent ends with status
// closed, naming the pod that ended it (gateway) and why (issue 16, Found 9: the pod was empty).
#include <catch2/catch.hpp>

#include <poll.h>

#include <optional>

#include "jflow/async_flow.hpp"

#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

TEST_CASE("a request ended by the drain timeout names the gateway and close_timeout",
          "[flow][close]") {
  FlowOptions options = test::test_options();
  options.close_timeout = std::chrono::milliseconds(100);
  AsyncFlow flow(FlowBuilder()
                     .transport(Transport::inproc)
                     .add("hold", "- !WaitDriver {duration: 30s}")
                     .build(),
                 options);
  flow.start_async();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (flow.state() != AsyncFlow::State::running && std::chrono::steady_clock::now() < give_up) {
    pollfd fd{flow.native_handle(), POLLIN, 0};
    ::poll(&fd, 1, 20);
    flow.process();
  }
  REQUIRE(flow.state() == AsyncFlow::State::running);
  std::optional<Response> ended;
  flow.submit(test::text_request("held"),
              [&](Response&& response) { ended = std::move(response); });
  flow.close();
  REQUIRE(ended);
  CHECK(ended->status().code == StatusCode::closed);
  CHECK(ended->status().pod == "gateway");
  CHECK_THAT(ended->status().message, Contains("close_timeout") && Contains("100ms"));
}
