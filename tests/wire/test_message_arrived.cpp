// A message as it arrives at a pea keeps its routes in the envelope frame until someone asks for
// them: a pea that only forwards appends its route to the bytes, and anyone who reads the
// envelope sees exactly what a full decode would give.
#include <catch2/catch.hpp>

#include <string>

#include "jflow/codec.hpp"
#include "jflow/message.hpp"

using namespace jflow;

namespace {

Envelope traced_with_routes(std::size_t count) {
  Envelope envelope;
  envelope.request_id = "0123456789abcdef-123456";
  envelope.type = RequestType::search;
  envelope.deadline_ns = 1'700'000'000'000'000'000;
  envelope.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = "pod" + std::to_string(i);
    envelope.routes.push_back({name, name + "-pea", static_cast<std::int64_t>(i), 10});
  }
  return envelope;
}

Message arrived(const Envelope& envelope) {
  const std::string bytes = encode_envelope(envelope);
  return Message::arrived(zmq::message_t(bytes.data(), bytes.size()), zmq::message_t());
}

}  // namespace

TEST_CASE("an arrived message reads its header without its routes, and all of it when asked",
          "[codec][message]") {
  for (std::size_t routes : {0u, 1u, 3u, 20u}) {
    const Envelope sent = traced_with_routes(routes);
    Message message = arrived(sent);
    CHECK(message.envelope_header().request_id == sent.request_id);
    CHECK(message.envelope_header().type == sent.type);
    CHECK(message.envelope_header().deadline_ns == sent.deadline_ns);
    CHECK(message.envelope_header().traceparent == sent.traceparent);
    CHECK(message.envelope_header().routes.empty());
    CHECK(std::as_const(message).envelope() == sent);
    CHECK_FALSE(message.envelope_changed());
  }
}

TEST_CASE("a forwarded message's bytes equal encoding it with the added route",
          "[codec][message]") {
  for (std::size_t routes : {0u, 2u, 15u}) {
    const Envelope sent = traced_with_routes(routes);
    const Route own{"mine", "mine-pea", 100, 0};
    Message message = arrived(sent);
    message.add_route(own);
    message.last_route().end_ns = 200;
    std::string forwarded;
    REQUIRE(message.forward_envelope_into(forwarded));
    Envelope expected = sent;
    expected.routes.push_back({"mine", "mine-pea", 100, 200});
    CHECK(forwarded == encode_envelope(expected));
    // Reading the envelope afterwards shows the added route too, in its place.
    CHECK(std::as_const(message).envelope() == expected);
  }
}

TEST_CASE("a message whose envelope was changed is not forwarded as it arrived",
          "[codec][message]") {
  Message message = arrived(traced_with_routes(2));
  message.add_route({"mine", "mine-pea", 1, 2});
  message.envelope().status = {StatusCode::error, "boom", "mine", "driver"};
  std::string forwarded;
  CHECK_FALSE(message.forward_envelope_into(forwarded));
  CHECK(std::as_const(message).envelope().routes.size() == 3);
  CHECK(std::as_const(message).envelope().routes.back().pea == "mine-pea");
}

TEST_CASE("an envelope frame with a bad route is refused on arrival, naming the route",
          "[codec][message][malformed]") {
  // A route whose pea name is an integer: the routes are checked whole even though they are
  // not kept, so a bad one is never forwarded to fail further on.
  Envelope envelope = traced_with_routes(2);
  std::string bytes = encode_envelope(envelope);
  const std::string pea_name = "pod1-pea";
  const std::size_t at = bytes.find(pea_name);
  REQUIRE(at != std::string::npos);
  // Its fixstr header becomes a positive fixint: the string's bytes are then stray fields.
  bytes[at - 1] = 0x07;
  try {
    (void)Message::arrived(zmq::message_t(bytes.data(), bytes.size()), zmq::message_t());
    FAIL("a bad route was accepted");
  } catch (const DecodeError& e) {
    CHECK_THAT(e.what(), Catch::Contains("routes"));
  }
}
