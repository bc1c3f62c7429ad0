// The libevent host of the reactor conformance suite: an event_base watching the flow's fd
// (through reactor::EventAttachment), a timer event for the host's own timer, and a watchdog
// event that bounds each run.
#pragma once
#ifdef JFLOW_HAVE_LIBEVENT

#include <event2/event.h>

#include <chrono>
#include <functional>
#include <stdexcept>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/libevent.hpp"

namespace jflow::test {

class EventHost {
 public:
  explicit EventHost(AsyncFlow& flow) : attached_(base_.base, flow) {}

  // Runs the base one pass at a time (EVLOOP_ONCE: one wake, its callbacks) until done() holds;
  // false if the watchdog fired first. An exception the attachment caught is rethrown here.
  bool run(const std::function<bool()>& done, Duration limit) {
    gave_up_ = false;
    timeval after = to_timeval(limit);
    evtimer_add(base_.watchdog, &after);
    try {
      while (!done() && !gave_up_) {
        event_base_loop(base_.base, EVLOOP_ONCE);
        attached_.rethrow_if_failed();
      }
    } catch (...) {
      evtimer_del(base_.watchdog);
      throw;
    }
    evtimer_del(base_.watchdog);
    return done();
  }

  // A one-shot timer of the host's own, due `after` from now.
  void arm_timer(Duration after, std::function<void()> fired) {
    on_timer_ = std::move(fired);
    // libevent measures timers from the time it cached when the last loop pass began; refresh it
    // so the timer lasts `after` from now.
    event_base_update_cache_time(base_.base);
    timeval when = to_timeval(after);
    evtimer_add(base_.timer, &when);
  }

  bool gave_up() const { return gave_up_; }

 private:
  static timeval to_timeval(Duration d) {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
    return timeval{static_cast<time_t>(us / 1'000'000), static_cast<suseconds_t>(us % 1'000'000)};
  }

  // The base and the host's two timer events; destroyed after the attachment's event.
  struct Base {
    event_base* base;
    event* timer;
    event* watchdog;
    explicit Base(EventHost* host)
        : base(event_base_new()),
          timer(evtimer_new(
              base,
              [](evutil_socket_t, short, void* arg) {
                if (auto& on_timer = static_cast<EventHost*>(arg)->on_timer_) on_timer();
              },
              host)),
          watchdog(evtimer_new(
              base,
              [](evutil_socket_t, short, void* arg) {
                static_cast<EventHost*>(arg)->gave_up_ = true;
              },
              host)) {
      if (base == nullptr || timer == nullptr || watchdog == nullptr)
        throw std::runtime_error("libevent host: cannot make an event_base and its timers");
    }
    ~Base() {
      event_free(timer);
      event_free(watchdog);
      event_base_free(base);
    }
  };
  Base base_{this};
  reactor::EventAttachment attached_;
  std::function<void()> on_timer_;
  bool gave_up_ = false;
};

}  // namespace jflow::test

#endif  // JFLOW_HAVE_LIBEVENT
