// The epoll host of the reactor conformance suite: one epoll set watching the flow's fd (through
// reactor::EpollAttachment) and a timerfd for the host's own timer.
#pragma once

#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <stdexcept>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/epoll.hpp"

namespace jflow::test {

class EpollHost {
 public:
  explicit EpollHost(AsyncFlow& flow) : attached_(epoll_.fd, flow) {
    if (epoll_.fd < 0 || timer_.fd < 0) throw std::runtime_error("epoll host: no epoll or timerfd");
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = 0;
    event.data.fd = timer_.fd;
    if (epoll_ctl(epoll_.fd, EPOLL_CTL_ADD, timer_.fd, &event) < 0)
      throw std::runtime_error("epoll host: cannot watch the timerfd");
  }

  // Dispatches events until done() holds; false if `limit` passed first. epoll_wait blocks until
  // the deadline, so every wake before it comes from a watched fd.
  bool run(const std::function<bool()>& done, Duration limit) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    gave_up_ = false;
    while (!done()) {
      const auto left = give_up - std::chrono::steady_clock::now();
      if (left <= Duration::zero()) {
        gave_up_ = true;
        return false;
      }
      epoll_event events[8];
      const int n =
          epoll_wait(epoll_.fd, events, 8,
                     static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(left).count()));
      for (int i = 0; i < n; ++i) {
        if (attached_.owns(events[i])) {
          attached_.on_ready();
        } else if (events[i].data.fd == timer_.fd) {
          std::uint64_t count = 0;
          if (::read(timer_.fd, &count, sizeof count) > 0 && on_timer_) on_timer_();
        }
      }
    }
    return true;
  }

  // A one-shot timer of the host's own, due `after` from now.
  void arm_timer(Duration after, std::function<void()> fired) {
    on_timer_ = std::move(fired);
    itimerspec spec{};
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(after).count();
    spec.it_value.tv_sec = ns / 1'000'000'000;
    spec.it_value.tv_nsec = ns % 1'000'000'000;
    timerfd_settime(timer_.fd, 0, &spec, nullptr);
  }

  bool gave_up() const { return gave_up_; }

 private:
  struct Fd {
    int fd;
    ~Fd() {
      if (fd >= 0) ::close(fd);
    }
  };
  Fd epoll_{epoll_create1(EPOLL_CLOEXEC)};
  Fd timer_{timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)};
  reactor::EpollAttachment attached_;  // after epoll_: leaves the set before it closes
  std::function<void()> on_timer_;
  bool gave_up_ = false;
};

}  // namespace jflow::test
