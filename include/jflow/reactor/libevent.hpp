// Attaching an AsyncFlow to a libevent event_base. A persistent EV_READ event watches the flow's
// fd (libevent's epoll backend is level-triggered unless EV_ET is asked for, which suits the fd)
// and runs process() when it is readable. No timer event is needed: the flow's deadlines and
// health checks are armed inside its fd.
//
//   event_base* base = event_base_new();
//   jflow::reactor::EventAttachment attached(base, flow);
//   flow.start_async(...);
//   event_base_dispatch(base);        // the flow's callbacks run from here
//   attached.rethrow_if_failed();     // an exception from process() broke the loop
//
// An exception thrown by process() cannot cross libevent's C frames: it is kept, the event is
// removed, event_base_loopbreak() ends the dispatch, and rethrow_if_failed() throws it. The
// attachment may be destroyed from inside a flow callback (nothing touches it after process()).
//
// Thread-safety: use it on the base's thread, which must own the flow; the flow must outlive it.
#pragma once

#include <event2/event.h>

#include <exception>
#include <stdexcept>
#include <utility>

#include "jflow/async_flow.hpp"

namespace jflow::reactor {

class EventAttachment {
 public:
  EventAttachment(event_base* base, AsyncFlow& flow)
      : base_(base),
        flow_(flow),
        event_(event_new(base, flow.native_handle(), EV_READ | EV_PERSIST,
                         &EventAttachment::on_readable, this)) {
    if (event_ == nullptr || event_add(event_, nullptr) < 0) {
      if (event_ != nullptr) event_free(event_);
      throw std::runtime_error("libevent: cannot watch the flow's fd");
    }
  }
  ~EventAttachment() { event_free(event_); }  // also removes it from the base
  EventAttachment(const EventAttachment&) = delete;
  EventAttachment& operator=(const EventAttachment&) = delete;

  void rethrow_if_failed() {
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  static void on_readable(evutil_socket_t /*fd*/, short /*what*/, void* arg) {
    auto* self = static_cast<EventAttachment*>(arg);
    try {
      self->flow_.process();
    } catch (...) {
      self->error_ = std::current_exception();
      event_del(self->event_);
      event_base_loopbreak(self->base_);
    }
  }

  event_base* base_;
  AsyncFlow& flow_;
  event* event_;
  std::exception_ptr error_;
};

}  // namespace jflow::reactor
