// max_in_flight: the flow key (file:line:col errors for 0, negative, too large, not a number),
// the builder, and FlowOptions (0: the spec's), and the window it sets on the running flow.
#include <catch2/catch.hpp>

#include <poll.h>

#include "jflow/async_flow.hpp"

#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

namespace {

std::string flow_with(const std::string& value) {
  return "version: 1\ntransport: inproc\nmax_in_flight: " + value +
         "\npods:\n  - name: a\n    uses: _pass\n";
}

}  // namespace

TEST_CASE("max_in_flight: the flow key, its default and its range", "[spec][max_in_flight]") {
  CHECK(parse_flow_yaml(flow_with("8"), "f.yml", test::no_env).max_in_flight == 8);
  CHECK(parse_flow_yaml(flow_with("100000"), "f.yml", test::no_env).max_in_flight == 100000);
  const FlowSpec plain =
      parse_flow_yaml("version: 1\ntransport: inproc\npods:\n  - name: a\n", "f.yml", test::no_env);
  CHECK(plain.max_in_flight == defaults::kMaxInFlight);

  for (const std::string bad : {"0", "-1", "100001", "99999999999999999999", "many", "[1]"}) {
    INFO(bad);
    try {
      parse_flow_yaml(flow_with(bad), "f.yml", test::no_env);
      FAIL("accepted max_in_flight: " << bad);
    } catch (const SpecError& e) {
      // Line 3, at the value (column 16 of "max_in_flight: VALUE").
      CHECK_THAT(e.what(), Contains("f.yml:3:16: max_in_flight: expected"));
    }
  }
}

TEST_CASE("max_in_flight: FlowBuilder sets and checks it like the YAML", "[spec][max_in_flight]") {
  const FlowSpec built =
      FlowBuilder().transport(Transport::inproc).max_in_flight(8).add("a").build();
  CHECK(built == parse_flow_yaml(flow_with("8"), "f.yml", test::no_env));
  CHECK_THROWS_WITH(FlowBuilder().max_in_flight(0).add("a").build(),
                    Contains("max_in_flight: expected 1 to 100000"));
  CHECK_THROWS_WITH(FlowBuilder().max_in_flight(defaults::kMaxInFlightLimit + 1).add("a").build(),
                    Contains("max_in_flight: expected 1 to 100000"));
}

namespace {

// Starts an AsyncFlow and processes until it runs (or the deadline passes).
bool start_and_wait(AsyncFlow& flow) {
  flow.start_async();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (flow.state() != AsyncFlow::State::running) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    pollfd fd{flow.native_handle(), POLLIN, 0};
    ::poll(&fd, 1, 20);
    flow.process();
  }
  return true;
}

FlowSpec holding_flow(std::size_t window) {
  // WaitDriver holds each request: nothing ends while the window fills.
  return FlowBuilder()
      .transport(Transport::inproc)
      .max_in_flight(window)
      .add("hold", "- !WaitDriver {duration: 30s}")
      .build();
}

}  // namespace

TEST_CASE("max_in_flight: the spec's window holds on the running flow - FlowOptions overrides it",
          "[api][max_in_flight]") {
  FlowOptions options = test::test_options();
  options.close_timeout = std::chrono::milliseconds(100);
  {
    AsyncFlow flow(holding_flow(3), options);
    REQUIRE(start_and_wait(flow));
    for (int i = 0; i < 3; ++i) flow.submit(test::text_request("x"), [](Response&&) {});
    CHECK(flow.at_capacity());
    CHECK_THROWS_WITH(flow.submit(test::text_request("x"), [](Response&&) {}),
                      Contains("3 requests in flight (max_in_flight)"));
    flow.close();
  }
  {
    options.max_in_flight = 5;  // an explicit FlowOptions value wins over the spec's 3
    AsyncFlow flow(holding_flow(3), options);
    REQUIRE(start_and_wait(flow));
    for (int i = 0; i < 4; ++i) flow.submit(test::text_request("x"), [](Response&&) {});
    CHECK_FALSE(flow.at_capacity());
    flow.submit(test::text_request("x"), [](Response&&) {});
    CHECK(flow.at_capacity());
    flow.close();
  }
}
