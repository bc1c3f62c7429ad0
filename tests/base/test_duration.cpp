// parse_duration / format_duration: the forms people write, exact nanoseconds, and what is refused.
#include <catch2/catch.hpp>

#include "jflow/duration.hpp"

using namespace std::chrono_literals;
using jflow::Duration;
using jflow::format_duration;
using jflow::parse_duration;

TEST_CASE("parse_duration reads every unit", "[duration]") {
  CHECK(parse_duration("5s") == Duration(5s));
  CHECK(parse_duration("200ms") == Duration(200ms));
  CHECK(parse_duration("100us") == Duration(100us));
  CHECK(parse_duration("100\u00b5s") == Duration(100us));
  CHECK(parse_duration("42ns") == Duration(42ns));
  CHECK(parse_duration("2m") == Duration(2min));
  CHECK(parse_duration("3h") == Duration(3h));
}

TEST_CASE("parse_duration treats a bare number as seconds", "[duration]") {
  CHECK(parse_duration("10") == Duration(10s));
  CHECK(parse_duration("0") == Duration::zero());
  CHECK(parse_duration("0.25") == Duration(250ms));
}

TEST_CASE("parse_duration keeps fractions exact to the nanosecond", "[duration]") {
  CHECK(parse_duration("1.5s") == Duration(1500ms));
  CHECK(parse_duration("0.1s") == Duration(100ms));
  CHECK(parse_duration(".5s") == Duration(500ms));
  CHECK(parse_duration("1.000000001s") == Duration(1'000'000'001ns));
  CHECK(parse_duration("0.5m") == Duration(30s));
  CHECK(parse_duration("1.25h") == Duration(75min));
  CHECK(parse_duration("2.5us") == Duration(2500ns));
}

TEST_CASE("parse_duration allows surrounding and inner spaces", "[duration]") {
  CHECK(parse_duration(" 5s ") == Duration(5s));
  CHECK(parse_duration("5 ms") == Duration(5ms));
}

TEST_CASE("parse_duration refuses what is not a duration", "[duration]") {
  for (const char* text : {"", "s", "fast", "-1s", "+1s", "5sec", "5 s s", "1e3s", "1.s.", "5S",
                           "1..5s", "ms5", "."}) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(parse_duration(text).has_value());
  }
}

TEST_CASE("parse_duration refuses values that overflow nanoseconds", "[duration]") {
  CHECK_FALSE(parse_duration("9999999999999h").has_value());
  CHECK_FALSE(parse_duration("99999999999999999999").has_value());
  CHECK_FALSE(parse_duration("2562048h").has_value());
  // Far below the overflow already: durations stop at jflow::kMaxDuration (test_duration_limits).
  CHECK_FALSE(parse_duration("2562047h").has_value());
}

TEST_CASE("format_duration picks the largest unit that reads well", "[duration]") {
  CHECK(format_duration(Duration::zero()) == "0s");
  CHECK(format_duration(5s) == "5s");
  CHECK(format_duration(1500ms) == "1.5s");
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(2min) == "2m");
  CHECK(format_duration(3h) == "3h");
  CHECK(format_duration(200ms) == "200ms");
  CHECK(format_duration(1250us) == "1.25ms");
  CHECK(format_duration(100us) == "100us");
  CHECK(format_duration(42ns) == "42ns");
  CHECK(format_duration(-200ms) == "-200ms");
}

TEST_CASE("format_duration output parses back to the same duration", "[duration]") {
  for (Duration d : {Duration(1ns), Duration(999ns), Duration(1'000'000'001ns), Duration(61s),
                     Duration(1h + 1ns), Duration(123456789ms), Duration(7min)}) {
    INFO("duration: " << d.count() << "ns formatted as " << format_duration(d));
    CHECK(parse_duration(format_duration(d)) == d);
  }
}
