// The in-place msgpack writer (used for the route a pea appends) writes exactly the bytes
// msgpack-c's packer writes for the same values, at every boundary between forms.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include <msgpack.hpp>

#include "jflow/codec.hpp"
#include "wire/msgpack_put.hpp"

using namespace jflow;

namespace {

std::string packed_int(std::int64_t value) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer>(buffer).pack_int64(value);
  return std::string(buffer.data(), buffer.size());
}

std::string put_int(std::int64_t value) {
  std::string out(detail::int_size(value), '\0');
  char* end = detail::put_int(out.data(), value);
  CHECK(end == out.data() + out.size());
  return out;
}

}  // namespace

TEST_CASE("put_int writes msgpack-c's smallest int forms", "[codec]") {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (std::int64_t value : {std::int64_t{0},
                             std::int64_t{1},
                             std::int64_t{127},
                             std::int64_t{128},
                             std::int64_t{255},
                             std::int64_t{256},
                             std::int64_t{65535},
                             std::int64_t{65536},
                             std::int64_t{4294967295},
                             std::int64_t{4294967296},
                             std::int64_t{1'700'000'000'000'000'000},
                             kMax,
                             std::int64_t{-1},
                             std::int64_t{-32},
                             std::int64_t{-33},
                             std::int64_t{-128},
                             std::int64_t{-129},
                             std::int64_t{-32768},
                             std::int64_t{-32769},
                             std::int64_t{-2147483648LL},
                             std::int64_t{-2147483649LL},
                             kMin}) {
    INFO(value);
    CHECK(put_int(value) == packed_int(value));
  }
}

TEST_CASE("put_str and put_array_header write msgpack-c's headers", "[codec]") {
  for (std::size_t length : {0, 1, 31, 32, 255, 256, 65535, 65536}) {
    INFO(length << " bytes");
    const std::string text(length, 'x');
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer>(buffer)
        .pack_str(static_cast<std::uint32_t>(length))
        .pack_str_body(text.data(), static_cast<std::uint32_t>(length));
    std::string out(detail::str_size(text), '\0');
    CHECK(detail::put_str(out.data(), text) == out.data() + out.size());
    CHECK(out == std::string(buffer.data(), buffer.size()));
  }
  for (std::uint32_t count : {0u, 15u, 16u, 65535u, 65536u}) {
    INFO(count << " elements");
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer>(buffer).pack_array(count);
    std::string out(detail::array_header_size(count), '\0');
    CHECK(detail::put_array_header(out.data(), count) == out.data() + out.size());
    CHECK(out == std::string(buffer.data(), buffer.size()));
  }
}

namespace {

// The envelope as msgpack-c packs it (docs/PROTOCOL.md's field order), for comparison.
std::string packed_envelope(const Envelope& e) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pack(buffer);
  const auto str = [&pack](const std::string& text) {
    pack.pack_str(static_cast<std::uint32_t>(text.size()))
        .pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
  };
  pack.pack_array(e.traceparent.empty() ? 6 : 7).pack_uint64(e.version);
  str(e.request_id);
  pack.pack_uint64(static_cast<std::uint8_t>(e.type)).pack_int64(e.deadline_ns);
  pack.pack_array(4).pack_uint64(static_cast<std::uint8_t>(e.status.code));
  str(e.status.message);
  str(e.status.pod);
  str(e.status.executor);
  pack.pack_array(static_cast<std::uint32_t>(e.routes.size()));
  for (const Route& route : e.routes) {
    pack.pack_array(4);
    str(route.pod);
    str(route.pea);
    pack.pack_int64(route.start_ns).pack_int64(route.end_ns);
  }
  if (!e.traceparent.empty()) str(e.traceparent);
  return std::string(buffer.data(), buffer.size());
}

}  // namespace

TEST_CASE("encode_envelope writes what msgpack-c's packer writes", "[codec]") {
  Envelope envelope;
  envelope.request_id = std::string(300, 'i');  // a str16
  envelope.type = RequestType::search;
  envelope.deadline_ns = 1'700'000'000'000'000'000;
  envelope.status = {StatusCode::timeout, std::string(40, 'm'), "pod", ""};
  for (std::int64_t i = 0; i < 17; ++i) {  // an array16 of routes
    envelope.routes.push_back({"p" + std::to_string(i), std::string(33, 'q'), -i * 1000, i << 40});
  }
  CHECK(encode_envelope(envelope) == packed_envelope(envelope));
  envelope.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  CHECK(encode_envelope(envelope) == packed_envelope(envelope));
  CHECK(decode_envelope(encode_envelope(envelope)) == envelope);
  CHECK(encode_envelope(Envelope{}) == packed_envelope(Envelope{}));
}

TEST_CASE("put_uint, put_map_header and put_bin write msgpack-c's forms", "[codec]") {
  for (std::uint64_t value :
       {std::uint64_t{0}, std::uint64_t{127}, std::uint64_t{128}, std::uint64_t{255},
        std::uint64_t{256}, std::uint64_t{65535}, std::uint64_t{65536}, std::uint64_t{4294967295},
        std::uint64_t{4294967296}, std::numeric_limits<std::uint64_t>::max()}) {
    INFO(value);
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer>(buffer).pack_uint64(value);
    std::string out(detail::kMaxHeaderSize, '\0');
    out.resize(static_cast<std::size_t>(detail::put_uint(out.data(), value) - out.data()));
    CHECK(out == std::string(buffer.data(), buffer.size()));
  }
  for (std::uint32_t count : {0u, 15u, 16u, 65535u, 65536u}) {
    INFO(count << " entries");
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer>(buffer).pack_map(count);
    std::string out(detail::kMaxHeaderSize, '\0');
    out.resize(static_cast<std::size_t>(detail::put_map_header(out.data(), count) - out.data()));
    CHECK(out == std::string(buffer.data(), buffer.size()));
  }
  for (std::size_t length : {0, 1, 255, 256, 65535, 65536}) {
    INFO(length << " bytes");
    const std::string bytes(length, 'b');
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer>(buffer)
        .pack_bin(static_cast<std::uint32_t>(length))
        .pack_bin_body(bytes.data(), static_cast<std::uint32_t>(length));
    std::string out(detail::kMaxHeaderSize + length, '\0');
    out.resize(static_cast<std::size_t>(detail::put_bin(out.data(), bytes) - out.data()));
    CHECK(out == std::string(buffer.data(), buffer.size()));
  }
}

TEST_CASE("encode_body writes what msgpack-c's packer writes", "[codec]") {
  Request request;
  Document doc;
  doc.id = "d1";
  doc.text = std::string(40, 't');  // a str8
  doc.raw = std::string(300, 'r');  // a bin16
  doc.tags = {{"a", true},
              {"b", std::int64_t{-300}},
              {"c", 2.0},
              {"d", std::string("x")},
              {"e", std::monostate{}}};
  doc.score = 0.5;
  Document chunk;
  chunk.text = "c";
  doc.chunks.push_back(chunk);
  request.docs.push_back(doc);
  request.parameters = {{"top_k", std::int64_t{5}}};

  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pack(buffer);
  const auto str = [&pack](std::string_view text) {
    pack.pack_str(static_cast<std::uint32_t>(text.size()))
        .pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
  };
  pack.pack_map(2);
  str("docs");
  pack.pack_array(1).pack_map(6);
  str("id");
  str(doc.id);
  str("text");
  str(doc.text);
  str("raw");
  pack.pack_bin(300).pack_bin_body(doc.raw.data(), 300);
  str("tags");
  pack.pack_map(5);
  str("a");
  pack.pack_true();
  str("b");
  pack.pack_int64(-300);
  str("c");
  const char two[9] = {'\xcb', 0x40, 0, 0, 0, 0, 0, 0, 0};  // 2.0 kept a float64
  buffer.write(two, sizeof two);
  str("d");
  str("x");
  str("e");
  pack.pack_nil();
  str("chunks");
  pack.pack_array(1).pack_map(1);
  str("text");
  str("c");
  str("score");
  const char half[9] = {'\xcb', 0x3f, '\xe0', 0, 0, 0, 0, 0, 0};  // 0.5
  buffer.write(half, sizeof half);
  str("parameters");
  pack.pack_map(1);
  str("top_k");
  pack.pack_int64(5);
  CHECK(encode_body(request) == std::string(buffer.data(), buffer.size()));
  CHECK(decode_body(encode_body(request)).docs == request.docs);
}
