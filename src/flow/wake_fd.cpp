#include "flow/wake_fd.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <system_error>

namespace jflow::detail {
namespace {

int checked_fd(int result, const char* what) {
  if (result < 0) throw std::system_error(errno, std::generic_category(), what);
  return result;
}

void epoll_add(int epoll, int fd) {
  epoll_event event{};
  event.events = EPOLLIN;  // level-triggered: the host's fd stays readable while any member is
  event.data.fd = fd;
  checked_fd(epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event), "epoll_ctl(ADD)");
}

// Empties an eventfd or timerfd so it stops making the epoll set readable.
void drain_counter(int fd) {
  std::uint64_t count = 0;
  while (::read(fd, &count, sizeof count) == static_cast<ssize_t>(sizeof count)) {
  }
}

}  // namespace

OwnedFd::~OwnedFd() {
  if (fd_ >= 0) ::close(fd_);
}

WakeFd::WakeFd()
    : epoll_(checked_fd(epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      wake_(checked_fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd")),
      timer_(checked_fd(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), "timerfd")) {
  epoll_add(epoll_.get(), wake_.get());
  epoll_add(epoll_.get(), timer_.get());
}

void WakeFd::watch(zmq::socket_t& socket) {
  epoll_add(epoll_.get(), socket.get(zmq::sockopt::fd));
}

void WakeFd::unwatch(zmq::socket_t& socket) {
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, socket.get(zmq::sockopt::fd), nullptr);
}

void WakeFd::drain() {
  drain_counter(wake_.get());
  wake_pending_ = false;
  drain_counter(timer_.get());
  drained_since_armed_ = true;
}

void WakeFd::signal() {
  if (wake_pending_) return;
  std::uint64_t one = 1;
  if (::write(wake_.get(), &one, sizeof one) < 0 && errno != EAGAIN)
    throw std::system_error(errno, std::generic_category(), "eventfd write");
  wake_pending_ = true;
}

void WakeFd::arm(std::optional<SteadyTime> when) {
  SteadyTime now = steady_now();
  // Armed no later than asked, and still to fire or fired with nobody having read it: the fd
  // is (or will be) readable in time.
  if (when && timer_armed_ && *timer_armed_ <= *when &&
      (*timer_armed_ > now || !drained_since_armed_))
    return;
  if (!when && !timer_armed_) return;
  itimerspec spec{};  // all zero: disarmed
  if (when) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(*when - now);
    if (left.count() <= 0) left = std::chrono::nanoseconds(1);  // due now; zero would disarm
    spec.it_value.tv_sec = static_cast<time_t>(left.count() / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
  }
  checked_fd(timerfd_settime(timer_.get(), 0, &spec, nullptr), "timerfd_settime");
  timer_armed_ = when;
  drained_since_armed_ = false;
  ++timer_settings_;
}

}  // namespace jflow::detail
