// Appending a route to an envelope's bytes (what a pea forwards when nothing else changed) gives
// the bytes that decoding, pushing the route and encoding again would give.
#include <catch2/catch.hpp>

#include <msgpack.hpp>

#include "jflow/codec.hpp"
#include "wire/codec_samples.hpp"
#include "wire/route_append.hpp"

using namespace jflow;

namespace {

Envelope with_routes(std::size_t count) {
  Envelope envelope;
  envelope.request_id = "0123456789abcdef-123456";
  envelope.deadline_ns = 1'700'000'000'000'000'000;
  for (std::size_t i = 0; i < count; ++i) {
    const std::string name = "p" + std::to_string(i);
    envelope.routes.push_back({name, name, static_cast<std::int64_t>(i), -1});
  }
  return envelope;
}

std::string append(std::string_view bytes, const detail::EnvelopeLayout& layout,
                   const Route& route) {
  std::string appended(detail::size_with_route(bytes, layout, route), '\0');
  detail::append_route_to(bytes, layout, route, appended.data());
  return appended;
}

// The appended bytes, checked against the decode + push + encode path.
void check_append(const std::string& bytes, const Route& route) {
  detail::EnvelopeLayout layout;
  Envelope decoded = detail::decode_envelope(bytes, layout);
  CHECK(layout.routes == decoded.routes.size());
  const std::string appended = append(bytes, layout, route);
  decoded.routes.push_back(route);
  CHECK(decode_envelope(appended) == decoded);
  CHECK(appended == encode_envelope(decoded));
}

}  // namespace

TEST_CASE("route append equals decode, push and encode", "[codec]") {
  const Route route{"encoder", "encoder/replica-1", 1'700'000'000'000'000'001,
                    1'700'000'000'000'000'999};
  SECTION("a full envelope") {
    check_append(encode_envelope(test::full_envelope()), route);
  }
  SECTION("an envelope with a traceparent after its routes") {
    // The traceparent is the optional field after the routes: the route goes before it.
    for (std::size_t count : {0, 1, 15}) {
      INFO(count << " routes before");
      Envelope envelope = with_routes(count);
      envelope.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
      check_append(encode_envelope(envelope), route);
    }
  }
  SECTION("around every array header size") {
    // 15 -> 16 grows a fixarray header into an array16; 65535 -> 65536 into an array32.
    for (std::size_t count : {0, 1, 14, 15, 16, 65535, 65536}) {
      INFO(count << " routes before");
      check_append(encode_envelope(with_routes(count)), route);
    }
  }
}

TEST_CASE("route append writes every int and name size as the encoder does", "[codec]") {
  // The appended route is written in place, not by msgpack-c: each int form and each str header.
  const std::string bytes = encode_envelope(with_routes(2));
  for (std::int64_t time : {std::int64_t{0}, std::int64_t{5}, std::int64_t{200}, std::int64_t{-7},
                            std::int64_t{-200}, std::int64_t{70'000}, std::int64_t{-70'000},
                            std::int64_t{5'000'000'000}, std::int64_t{-5'000'000'000}}) {
    INFO(time);
    check_append(bytes, Route{"a", "b", time, -time});
  }
  for (std::size_t length : {31, 32, 255, 256, 70'000}) {
    INFO(length << " byte names");
    check_append(bytes, Route{std::string(length, 'p'), std::string(length, 'q'), 1, 2});
  }
}

TEST_CASE("route append keeps a wider routes header from another encoder valid", "[codec]") {
  // The same envelope, but its routes array written as an array16 holding 1 route.
  Envelope envelope = with_routes(1);
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pack(buffer);
  pack.pack_array(6).pack_uint8(1);
  pack.pack_str(envelope.request_id.size())
      .pack_str_body(envelope.request_id.data(), envelope.request_id.size());
  pack.pack_uint8(0).pack_int64(envelope.deadline_ns);
  pack.pack_array(4).pack_uint8(0).pack_str(0).pack_str(0).pack_str(0);
  const char wide_header[] = {static_cast<char>(0xdc), 0x00, 0x01};
  buffer.write(wide_header, sizeof wide_header);
  pack.pack_array(4).pack_str(2).pack_str_body("p0", 2).pack_str(2).pack_str_body("p0", 2);
  pack.pack_int64(0).pack_int64(-1);
  const std::string bytes(buffer.data(), buffer.size());
  REQUIRE(decode_envelope(bytes) == envelope);

  detail::EnvelopeLayout layout;
  detail::decode_envelope(bytes, layout);
  CHECK(layout.routes_header == 3);
  const Route route{"q", "q", 5, 6};
  const std::string appended = append(bytes, layout, route);
  envelope.routes.push_back(route);
  CHECK(decode_envelope(appended) == envelope);
}
