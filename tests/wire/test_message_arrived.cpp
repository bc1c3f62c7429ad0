// A message as it arrives at a pea keeps its routes in the envelope frame until someone asks for
// them: a pea that only forwards appends its route to the bytes, and anyone who reads the
// envelope sees exactly what a full decode would give.
#include <catch2/catch.hpp>

#include <optional>
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

TEST_CASE("an arrived message keeps its request id and traceparent in the frame until asked",
          "[codec][message]") {
  const Envelope sent = traced_with_routes(3);
  Message message = arrived(sent);
  // The core is what a forwarding pea reads: no strings made for the texts.
  CHECK(message.envelope_core().request_id.empty());
  CHECK(message.envelope_core().traceparent.empty());
  CHECK(message.envelope_core().type == sent.type);
  CHECK(message.envelope_core().deadline_ns == sent.deadline_ns);
  CHECK(message.request_id() == sent.request_id);
  message.add_route({"mine", "mine-pea", 1, 2});
  zmq::message_t forwarded;
  REQUIRE(message.forward_envelope_into(forwarded));
  CHECK(message.request_id() == sent.request_id);  // still the frame's, still valid
  CHECK(message.envelope_header().request_id == sent.request_id);
  CHECK(message.envelope_header().traceparent == sent.traceparent);
  CHECK(message.request_id() == sent.request_id);  // now the envelope's

  SECTION("a message without a traceparent or id") {
    Envelope bare = traced_with_routes(1);
    bare.request_id.clear();
    bare.traceparent.clear();
    Message plain = arrived(bare);
    CHECK(plain.request_id().empty());
    CHECK(std::as_const(plain).envelope() == bare);
  }
  SECTION("a mutable read makes them too") {
    Message changed = arrived(sent);
    changed.envelope().status.code = StatusCode::error;
    CHECK(changed.envelope_core().request_id == sent.request_id);
    CHECK(changed.envelope_core().traceparent == sent.traceparent);
    CHECK(changed.envelope_core().routes == sent.routes);
  }
}

TEST_CASE("an envelope frame with a bad request id or traceparent is refused on arrival",
          "[codec][message][malformed]") {
  const Envelope sent = traced_with_routes(1);
  const std::string good = encode_envelope(sent);
  const auto refused = [](std::string bytes, const char* where) {
    try {
      (void)Message::arrived(zmq::message_t(bytes.data(), bytes.size()), zmq::message_t());
      FAIL("a bad envelope was accepted");
    } catch (const DecodeError& e) {
      CHECK_THAT(e.what(), Catch::Contains(where));
    }
  };
  SECTION("an id that is not a str") {
    std::string bytes = good;
    const std::size_t at = bytes.find(sent.request_id);
    REQUIRE(at != std::string::npos);
    bytes[at - 1] = 0x07;  // its fixstr header becomes an int
    refused(bytes, "request_id");
  }
  SECTION("an id longer than the frame") {
    std::string bytes = good;
    const std::size_t at = bytes.find(sent.request_id);
    // A str8 header declaring 255 bytes, more than the rest of the frame holds.
    bytes[at - 1] = static_cast<char>(0xd9);
    bytes.insert(at, 1, static_cast<char>(0xff));
    refused(bytes, "request_id: declared str of 255 bytes");
  }
  SECTION("a traceparent cut short") {
    std::string bytes = good;
    bytes.resize(bytes.size() - 5);
    refused(bytes, "traceparent");
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
    zmq::message_t forwarded;
    REQUIRE(message.forward_envelope_into(forwarded));
    Envelope expected = sent;
    expected.routes.push_back({"mine", "mine-pea", 100, 200});
    CHECK(forwarded.to_string_view() == encode_envelope(expected));
    // Reading the envelope afterwards shows the added route too, in its place.
    CHECK(std::as_const(message).envelope() == expected);
  }
}

TEST_CASE("a message whose envelope was changed is not forwarded as it arrived",
          "[codec][message]") {
  Message message = arrived(traced_with_routes(2));
  message.add_route({"mine", "mine-pea", 1, 2});
  message.envelope().status = {StatusCode::error, "boom", "mine", "driver"};
  zmq::message_t forwarded;
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

TEST_CASE("the envelope a message is sent on with: forwarded bytes, or encoded afresh once changed",
          "[codec][message]") {
  const Envelope sent = traced_with_routes(2);
  Envelope expected = sent;
  expected.routes.push_back({"mine", "mine-pea", 1, 2});

  Message forwarded = arrived(sent);
  forwarded.add_route({"mine", "mine-pea", 1, 2});
  CHECK(forwarded.envelope_to_send().to_string_view() == encode_envelope(expected));

  Message changed = arrived(sent);
  changed.add_route({"mine", "mine-pea", 1, 2});
  changed.envelope().status = {StatusCode::error, "boom", "mine", "driver"};
  expected.status = {StatusCode::error, "boom", "mine", "driver"};
  CHECK(changed.envelope_to_send().to_string_view() == encode_envelope(expected));
}

TEST_CASE("arrive_into leaves the message empty when the envelope does not decode",
          "[codec][message][malformed]") {
  std::optional<Message> message;
  const std::string good = encode_envelope(traced_with_routes(1));
  Message::arrive_into(message, zmq::message_t(good.data(), good.size()), zmq::message_t());
  REQUIRE(message.has_value());
  CHECK(message->request_id() == "0123456789abcdef-123456");
  const std::string bad = "\x91\x07";  // an array holding protocol version 7
  CHECK_THROWS_WITH(
      Message::arrive_into(message, zmq::message_t(bad.data(), bad.size()), zmq::message_t()),
      Catch::Contains("unsupported protocol version 7"));
  CHECK_FALSE(message.has_value());
}
