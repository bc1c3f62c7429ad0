// The WakeFd's timer: readable when a timed step is due, quiet after a drain until armed again,
// and no timerfd_settime when the fd already says what arming would make it say (an overdue
// expiry nobody drained). Readability is checked with poll() and a deadline, never a pause.
#include <catch2/catch.hpp>

#include <poll.h>

#include <chrono>

#include "flow/wake_fd.hpp"

using namespace jflow;
using namespace std::chrono_literals;

namespace {

// Whether the WakeFd becomes readable within `deadline`.
bool readable_within(const detail::WakeFd& wake, std::chrono::milliseconds deadline) {
  pollfd fd{wake.fd(), POLLIN, 0};
  return ::poll(&fd, 1, static_cast<int>(deadline.count())) == 1;
}

// Arms the timer for now and waits until it has fired: the start of an overdue step.
SteadyTime fire_now(detail::WakeFd& wake) {
  const SteadyTime due = steady_now();
  wake.arm(due);
  REQUIRE(readable_within(wake, 10s));
  return due;
}

}  // namespace

TEST_CASE("wake fd: a due time makes it readable, a drain quiets it", "[flow][wake_fd]") {
  detail::WakeFd wake;
  CHECK_FALSE(readable_within(wake, 0ms));
  wake.arm(steady_now());
  CHECK(readable_within(wake, 10s));
  wake.drain();
  CHECK_FALSE(readable_within(wake, 0ms));
}

TEST_CASE("wake fd: an overdue expiry nobody drained is not re-armed", "[flow][wake_fd]") {
  detail::WakeFd wake;
  const SteadyTime due = fire_now(wake);
  const auto settings = wake.timer_settings();
  // The step is still overdue (as when submits come before the process() that does it): the
  // fd is readable already, so arming it again changes nothing and costs no system call.
  wake.arm(due);
  wake.arm(steady_now());
  CHECK(wake.timer_settings() == settings);
  CHECK(readable_within(wake, 0ms));
}

TEST_CASE("wake fd: after a drain an overdue step is armed again", "[flow][wake_fd]") {
  detail::WakeFd wake;
  const SteadyTime due = fire_now(wake);
  wake.drain();
  REQUIRE_FALSE(readable_within(wake, 0ms));
  // process() drained the expiry but did not do the step: the fd must wake the host again.
  const auto settings = wake.timer_settings();
  wake.arm(due);
  CHECK(wake.timer_settings() == settings + 1);
  CHECK(readable_within(wake, 10s));
}

TEST_CASE("wake fd: a later time keeps the earlier setting, an earlier one replaces it",
          "[flow][wake_fd]") {
  detail::WakeFd wake;
  wake.arm(steady_now() + 1h);
  const auto settings = wake.timer_settings();
  wake.arm(steady_now() + 2h);  // fires early once at most: no system call
  CHECK(wake.timer_settings() == settings);
  CHECK_FALSE(readable_within(wake, 0ms));
  wake.arm(steady_now());  // earlier: must be set
  CHECK(wake.timer_settings() == settings + 1);
  CHECK(readable_within(wake, 10s));
}

TEST_CASE("wake fd: disarming stops a pending timer", "[flow][wake_fd]") {
  detail::WakeFd wake;
  wake.arm(steady_now() + 50ms);
  wake.arm(std::nullopt);
  CHECK_FALSE(readable_within(wake, 200ms));
}
