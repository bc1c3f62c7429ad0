// Durations as people write them ("5s", "200ms", "1.5s"), parsed exactly to nanoseconds.
#include "jflow/duration.hpp"

#include <cctype>
#include <cmath>
#include <cstdint>
#include <limits>

#include "base/text.hpp"

namespace jflow {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t nanoseconds;
};

constexpr std::uint64_t kMicrosecond = 1000;
constexpr std::uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr std::uint64_t kSecond = 1000 * kMillisecond;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;

// "µs" is accepted because it is what people copy from papers and tool output.
constexpr Unit kUnits[] = {{"ns", 1},
                           {"us", kMicrosecond},
                           {"\u00b5s", kMicrosecond},
                           {"ms", kMillisecond},
                           {"s", kSecond},
                           {"m", kMinute},
                           {"h", kHour}};

std::optional<std::uint64_t> unit_of(std::string_view suffix) {
  if (suffix.empty()) return kSecond;  // a bare number means seconds, like Jina's `timeout_ready`
  for (const Unit& unit : kUnits) {
    if (unit.suffix == suffix) return unit.nanoseconds;
  }
  return std::nullopt;
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "<digits>[.<digits>]" with at least one digit; its value is reported in `whole` and the
// fraction as numerator/denominator so that "0.1s" becomes exactly 100ms.
struct Decimal {
  std::uint64_t whole = 0;
  std::uint64_t fraction = 0;
  std::uint64_t fraction_scale = 1;
};

constexpr std::uint64_t kMax =
    static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max());

std::optional<Decimal> take_decimal(std::string_view& text) {
  Decimal number;
  std::size_t digits = 0;
  std::size_t i = 0;
  for (; i < text.size() && is_digit(text[i]); ++i, ++digits) {
    const std::uint64_t digit = static_cast<std::uint64_t>(text[i] - '0');
    if (number.whole > (kMax - digit) / 10) return std::nullopt;
    number.whole = number.whole * 10 + digit;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && is_digit(text[i]); ++i, ++digits) {
      // Digits past 18 are far below a nanosecond for every unit; dropping them avoids overflow.
      if (number.fraction_scale >= 1'000'000'000'000'000'000ULL) continue;
      number.fraction = number.fraction * 10 + static_cast<std::uint64_t>(text[i] - '0');
      number.fraction_scale *= 10;
    }
  }
  if (digits == 0) return std::nullopt;
  text.remove_prefix(i);
  return number;
}

std::string with_fraction(std::uint64_t value, std::uint64_t unit, std::string_view suffix) {
  std::string result = std::to_string(value / unit);
  std::uint64_t rest = value % unit;
  if (rest != 0) {
    std::string digits;
    for (std::uint64_t scale = unit / 10; scale > 0; scale /= 10) {
      digits += static_cast<char>('0' + (rest / scale) % 10);
    }
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    result += "." + digits;
  }
  return result + std::string(suffix);
}

}  // namespace

namespace {

// The nanoseconds `text` means, or nullopt when it is not a duration. `too_long` is set when it
// is one, but past int64 nanoseconds.
std::optional<std::uint64_t> parse_nanoseconds(std::string_view text, bool& too_long) {
  too_long = false;
  text = trim_space(text);
  std::optional<Decimal> number = take_decimal(text);
  if (!number) {
    // A run of digits too long for int64 is still a number someone meant as a duration.
    too_long = !text.empty() && is_digit(text.front());
    return std::nullopt;
  }
  std::optional<std::uint64_t> unit = unit_of(trim_space(text));
  if (!unit) return std::nullopt;

  if (number->whole > kMax / *unit) {
    too_long = true;
    return std::nullopt;
  }
  std::uint64_t nanoseconds = number->whole * *unit;
  // The fraction is less than one unit (at most an hour in ns, ~3.6e12), so long double holds it
  // with sub-nanosecond precision and rounding gives the exact nanosecond count.
  const long double fraction = static_cast<long double>(number->fraction) *
                               static_cast<long double>(*unit) /
                               static_cast<long double>(number->fraction_scale);
  const auto fraction_ns = static_cast<std::uint64_t>(std::llround(fraction));
  if (fraction_ns > kMax - nanoseconds) {
    too_long = true;
    return std::nullopt;
  }
  return nanoseconds + fraction_ns;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
  bool too_long = false;
  const std::optional<std::uint64_t> nanoseconds = parse_nanoseconds(text, too_long);
  if (!nanoseconds || *nanoseconds > static_cast<std::uint64_t>(kMaxDuration.count())) {
    return std::nullopt;
  }
  return Duration(static_cast<Duration::rep>(*nanoseconds));
}

bool duration_too_long(std::string_view text) {
  bool too_long = false;
  const std::optional<std::uint64_t> nanoseconds = parse_nanoseconds(text, too_long);
  return too_long ||
         (nanoseconds && *nanoseconds > static_cast<std::uint64_t>(kMaxDuration.count()));
}

std::string format_duration(Duration d) {
  if (d == Duration::zero()) return "0s";
  // Work on the magnitude as unsigned so that the most negative value does not overflow.
  const bool negative = d.count() < 0;
  const std::uint64_t value =
      negative ? 0 - static_cast<std::uint64_t>(d.count()) : static_cast<std::uint64_t>(d.count());
  const std::string sign = negative ? "-" : "";
  if (value % kHour == 0) return sign + std::to_string(value / kHour) + "h";
  if (value % kMinute == 0) return sign + std::to_string(value / kMinute) + "m";
  if (value >= kSecond) return sign + with_fraction(value, kSecond, "s");
  if (value >= kMillisecond) return sign + with_fraction(value, kMillisecond, "ms");
  if (value >= kMicrosecond) return sign + with_fraction(value, kMicrosecond, "us");
  return sign + std::to_string(value) + "ns";
}

}  // namespace jflow
