// parse_integer reads the whole text or nothing: garbage is never a 0.
#include <catch2/catch.hpp>

#include <cstdint>

#include "base/text.hpp"

using namespace jflow;

TEST_CASE("parse_integer takes digits only, within the type's range", "[base]") {
  CHECK(parse_integer<int>("8080") == 8080);
  CHECK(parse_integer<int>("-3") == -3);
  CHECK(parse_integer<std::int64_t>("9223372036854775807") == INT64_MAX);
  for (const char* bad : {"", " 80", "80 ", "+80", "80x", "0x50", "8.0", "abc"}) {
    CHECK_FALSE(parse_integer<int>(bad).has_value());
  }
  CHECK_FALSE(parse_integer<unsigned>("-1").has_value());
  CHECK_FALSE(parse_integer<std::int64_t>("9223372036854775808").has_value());
}
