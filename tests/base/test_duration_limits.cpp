// Durations stop at kMaxDuration (100 years), so "now + d" always fits in int64 nanoseconds: a
// timeout of 2562047h (the int64 limit) used to wrap into the past and expire every request at
// once (issue 16, found 6).
#include <catch2/catch.hpp>

#include "jflow/duration.hpp"
#include "jflow/flow_spec.hpp"
#include "jflow/spec_error.hpp"

using namespace std::chrono_literals;
using jflow::Duration;
using jflow::kMaxDuration;
using jflow::parse_duration;

TEST_CASE("parse_duration accepts up to kMaxDuration and refuses one nanosecond more",
          "[duration]") {
  CHECK(parse_duration("876000h") == kMaxDuration);
  CHECK(parse_duration("52560000m") == kMaxDuration);
  CHECK(parse_duration(std::to_string(kMaxDuration.count()) + "ns") == kMaxDuration);
  CHECK_FALSE(parse_duration(std::to_string(kMaxDuration.count() + 1) + "ns").has_value());
  CHECK_FALSE(parse_duration("876000.000001h").has_value());
  CHECK_FALSE(parse_duration("2562047h").has_value());
  CHECK(jflow::duration_too_long("876000.000001h"));
  CHECK(jflow::duration_too_long("99999999999999999999"));
  CHECK_FALSE(jflow::duration_too_long("876000h"));
  CHECK_FALSE(jflow::duration_too_long("fast"));
  // Whatever is accepted leaves room for a deadline: unix time now (< 2^61 ns until 2043) + d.
  CHECK(kMaxDuration.count() < INT64_MAX - (std::int64_t{1} << 61));
}

TEST_CASE("a flow file with a timeout past kMaxDuration is refused at its line", "[duration]") {
  const std::string yaml =
      "version: 1\n"
      "request_timeout: 2562047h\n"
      "pods:\n"
      "  - name: a\n";
  try {
    (void)jflow::parse_flow_yaml(yaml, "huge.yml");
    FAIL("a 2562047h request_timeout was accepted");
  } catch (const jflow::SpecError& e) {
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Contains("huge.yml:2:"));
    CHECK_THAT(what, Catch::Contains("request_timeout"));
    CHECK_THAT(what, Catch::Contains("at most 876000h"));
  }
}

TEST_CASE("a WaitDriver or join_timeout past kMaxDuration is refused", "[duration]") {
  const std::string wait =
      "version: 1\n"
      "pods:\n"
      "  - name: a\n"
      "    uses: \"- !WaitDriver {duration: 2562047h}\"\n";
  CHECK_THROWS_AS(jflow::parse_flow_yaml(wait, "wait.yml"), jflow::SpecError);
  const std::string join =
      "version: 1\n"
      "pods:\n"
      "  - name: a\n"
      "  - name: b\n"
      "    needs: gateway\n"
      "  - name: c\n"
      "    needs: [a, b]\n"
      "    join_timeout: 2562047h\n";
  CHECK_THROWS_AS(jflow::parse_flow_yaml(join, "join.yml"), jflow::SpecError);
}
