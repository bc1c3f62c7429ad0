// Durations as written in YAML and on the command line: "5s", "200ms", "1.5s", "2m", "100us".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace jflow {

using Duration = std::chrono::nanoseconds;

// The longest duration parse_duration accepts: 100 years (876000h). A deadline is "now + d" in
// int64 nanoseconds (unix time for envelopes, the steady clock for timers), which overflows past
// ~292 years minus now; so a longer timeout would wrap into the past and fire at once.
inline constexpr Duration kMaxDuration = std::chrono::hours(876000);

// Accepts a number followed by ns, us, ms, s, m or h; a bare number means seconds. Rejects
// negatives and anything above kMaxDuration.
std::optional<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);
// True when `text` is a duration that parse_duration refuses only for being above kMaxDuration,
// so that a message can say so.
bool duration_too_long(std::string_view text);  // "1.5s", "200ms"

}  // namespace jflow
