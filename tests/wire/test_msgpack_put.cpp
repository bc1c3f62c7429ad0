// The in-place msgpack writer (used for the route a pea appends) writes exactly the bytes
// msgpack-c's packer writes for the same values, at every boundary between forms.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include <msgpack.hpp>

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
