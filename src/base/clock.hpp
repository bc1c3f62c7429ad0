// Time helpers: deadlines and routes use unix time in ns (comparable across processes on a host);
// waiting uses the steady clock.
#pragma once

#include <chrono>
#include <cstdint>

namespace jflow {

using SteadyTime = std::chrono::steady_clock::time_point;

inline std::int64_t unix_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

inline SteadyTime steady_now() {
  return std::chrono::steady_clock::now();
}

// Milliseconds from now until `until`, clamped to [0, cap_ms], for zmq::poll timeouts.
inline long poll_timeout_ms(SteadyTime until, long cap_ms) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - steady_now()).count();
  if (until > steady_now() && left == 0) left = 1;  // round up so we do not spin
  if (left < 0) return 0;
  return left < cap_ms ? static_cast<long>(left) : cap_ms;
}

}  // namespace jflow
