// WakeFd: the one file descriptor an AsyncFlow gives its host loop (native_handle()). It is an
// epoll set holding the ZMQ_FDs of the flow's sockets, an eventfd and a timerfd. libzmq's ZMQ_FD
// is edge-triggered (it only says "re-read ZMQ_EVENTS"), so the flow says itself when work
// remains that no edge will announce (signal()) and when its next timed step is due (arm()); the
// host sees an fd that is level-triggered and never goes quiet while work waits.
// Private to jflow_core.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>

#include <zmq.hpp>

#include "base/clock.hpp"

namespace jflow::detail {

// An owned file descriptor, closed on destruction.
class OwnedFd {
 public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(OwnedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&&) = delete;
  OwnedFd(const OwnedFd&) = delete;
  ~OwnedFd();
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

class WakeFd {
 public:
  WakeFd();  // throws std::system_error when the kernel refuses an fd

  int fd() const { return epoll_.get(); }
  void watch(zmq::socket_t& socket);
  void unwatch(zmq::socket_t& socket);

  // At the start of each process(): empties the eventfd and the timerfd, which stop making the
  // set readable until signalled or armed again.
  void drain();
  // Makes the set readable now. Writes the eventfd once until the next drain().
  void signal();
  // Arms the timerfd for `when` (nullopt: disarms it). Runs after every submit, so it skips the
  // system call when nothing would change: the timer is re-armed only when the next wake moves
  // earlier, or when its armed time has passed and a drain() may have taken the expiry (a wake
  // that moved later fires early once; process() then finds nothing due and arms the real
  // time). An expiry nobody drained keeps the fd readable, so an overdue step needs no re-arm:
  // without this rule every submit between a health check falling due and the next process()
  // re-armed a 1 ns timer, a system call and a timer interrupt each (~3k a second at 300k req/s).
  void arm(std::optional<SteadyTime> when);
  // How many times arm() changed the timerfd: what its skip rule saves, for tests.
  std::uint64_t timer_settings() const { return timer_settings_; }

 private:
  OwnedFd epoll_;
  OwnedFd wake_;   // eventfd: written when work remains that no ZMQ_FD edge will announce
  OwnedFd timer_;  // timerfd: armed for the next deadline, health check or lifecycle step
  bool wake_pending_ = false;  // the eventfd was written and not yet drained
  std::optional<SteadyTime> timer_armed_;
  bool drained_since_armed_ = false;  // a drain() since the last setting may have read its expiry
  std::uint64_t timer_settings_ = 0;
};

}  // namespace jflow::detail
