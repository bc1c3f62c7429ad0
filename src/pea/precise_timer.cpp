#include "pea/precise_timer.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace jflow {

namespace {
// libstdc++'s steady_clock reads CLOCK_MONOTONIC on Linux: its epoch is the timerfd's.
static_assert(std::chrono::steady_clock::is_steady);
}  // namespace

PreciseTimer::PreciseTimer() : fd_(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "timerfd_create");
}

PreciseTimer::~PreciseTimer() {
  ::close(fd_);
}

void PreciseTimer::arm(SteadyTime due) {
  if (armed_ && armed_for_ == due) return;
  set(due, true);
}

void PreciseTimer::disarm() {
  if (armed_) set(SteadyTime{}, false);
}

void PreciseTimer::set(SteadyTime due, bool on) {
  itimerspec spec{};  // all zero: disarm
  if (on) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(due.time_since_epoch());
    // A due time at or before the clock's start would read as "disarm": make it the first tick.
    const std::int64_t at = ns.count() > 0 ? ns.count() : 1;
    spec.it_value.tv_sec = static_cast<time_t>(at / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(at % 1'000'000'000);
  }
  if (::timerfd_settime(fd_, TFD_TIMER_ABSTIME, &spec, nullptr) != 0)
    throw std::system_error(errno, std::generic_category(), "timerfd_settime");
  armed_ = on;
  armed_for_ = due;
}

void PreciseTimer::acknowledge() {
  std::uint64_t expirations = 0;
  (void)!::read(fd_, &expirations, sizeof(expirations));
  armed_ = false;  // a fired absolute timer is disarmed until set again
}

}  // namespace jflow
