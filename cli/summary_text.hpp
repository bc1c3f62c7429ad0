// How `jflow run` and `jflow client` print times and rates: three significant digits, so a
// latency or a throughput reads the same at 0.2 ms and at 2 s (no "0.01s" that could mean 2x).
#pragma once

#include <cstddef>
#include <string>

namespace jflow::cli {

// "0.214 ms", "1.23 ms", "17.0 ms", "152 ms", "1520 ms".
std::string format_ms(double milliseconds);
// "950", "18.1k", "181k", "1.81M" (per second; no unit).
std::string format_rate(double per_second);
// "index: 1000 requests (1000 documents): 1000 ok, 0 failed in 0.552 s (1.81k docs/s)"
std::string format_summary(const std::string& what, std::size_t requests, std::size_t docs,
                           std::size_t ok, std::size_t failed, double seconds);

}  // namespace jflow::cli
