// Measurement: what one timed run of a chain (raw or flow) produced, and the figures derived from
// it. Both systems fill the same struct from the same clock, so the table compares like with like.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace jflow::bench {

using BenchClock = std::chrono::steady_clock;

struct Measurement {
  std::size_t requests = 0;
  std::size_t docs_per_request = 0;
  double seconds = 0.0;
  std::vector<std::int64_t> latencies_ns;  // one round trip per request, submit to reply

  double requests_per_second() const { return seconds > 0 ? requests / seconds : 0.0; }
  double docs_per_second() const { return requests_per_second() * docs_per_request; }
};

// The q-quantile (0..1) of `samples` in microseconds; sorts in place. Nearest-rank is enough here:
// with thousands of samples the choice of interpolation is far below run-to-run noise.
inline double quantile_us(std::vector<std::int64_t>& samples, double q) {
  if (samples.empty()) return 0.0;
  auto rank = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank),
                   samples.end());
  return static_cast<double>(samples[rank]) / 1000.0;
}

inline std::int64_t elapsed_ns(BenchClock::time_point since) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(BenchClock::now() - since).count();
}

}  // namespace jflow::bench
