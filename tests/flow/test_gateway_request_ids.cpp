// The gateway's request ids: six characters of the flow id, "-", and a sequence number, so that
// an id stays within std::string's inline room (no allocation where it is made or decoded).
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "flow/gateway.hpp"
#include "flow/wake_fd.hpp"
#include "jflow/flow_spec.hpp"

#include "support/test_support.hpp"

using namespace jflow;

TEST_CASE("gateway: request ids are the flow id's first six characters and a sequence number",
          "[flow][gateway]") {
  zmq::context_t context;
  detail::WakeFd wake;
  detail::Gateway gateway(context, wake);
  const FlowSpec spec = FlowBuilder().transport(Transport::inproc).add("p").build();
  gateway.open_results(spec, "0123456789abcdef", std::nullopt);
  zmq::socket_t entry(context, zmq::socket_type::pull);
  entry.bind("inproc://gateway-request-ids-entry");
  gateway.connect({"inproc://gateway-request-ids-entry"}, 8, std::nullopt);

  CHECK(gateway.send(test::text_request("a"), nullptr, std::chrono::seconds(30)) == "012345-0");
  CHECK(gateway.send(test::text_request("b"), nullptr, std::chrono::seconds(30)) == "012345-1");
  gateway.close();
}
