// Durations as written in YAML and on the command line: "5s", "200ms", "1.5s", "2m", "100us".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace jflow {

using Duration = std::chrono::nanoseconds;

// Accepts a number followed by ns, us, ms, s, m or h; a bare number means seconds. Rejects
// negatives.
std::optional<Duration> parse_duration(std::string_view text);
std::string format_duration(Duration d);  // "1.5s", "200ms"

}  // namespace jflow
