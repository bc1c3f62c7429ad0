// PreciseTimer: a timerfd a pea polls next to its sockets, so that a wake-up set by a driver (a
// WaitDriver's 1 ms, a join's expiry) happens at that time and not at the poll timeout's next
// whole millisecond. zmq_poll's timeout is in milliseconds and is truncated towards zero by the
// loop's arithmetic: a 1 ms wait then took 1–2 ms in the pea, 2–3 ms end to end (bench/README.md).
#pragma once

#include <zmq.hpp>

#include "base/clock.hpp"

namespace jflow {

class PreciseTimer {
 public:
  PreciseTimer();
  ~PreciseTimer();
  PreciseTimer(const PreciseTimer&) = delete;
  PreciseTimer& operator=(const PreciseTimer&) = delete;

  // Fires at `due` (steady clock). A system call only when `due` differs from what is armed.
  void arm(SteadyTime due);
  // Stops a timer that is armed (nothing when it is not).
  void disarm();
  bool armed() const { return armed_; }
  // The timer's fd as a zmq poll item (POLLIN when it fired), for zmq::poll next to sockets.
  zmq::pollitem_t poll_item() const { return zmq::pollitem_t{nullptr, fd_, ZMQ_POLLIN, 0}; }
  // After the poll item fired: reads the expiry count so the fd is quiet until armed again.
  void acknowledge();

 private:
  void set(SteadyTime due, bool on);

  int fd_;
  bool armed_ = false;
  SteadyTime armed_for_{};
};

}  // namespace jflow
