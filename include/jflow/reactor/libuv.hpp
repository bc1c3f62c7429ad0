// Attaching an AsyncFlow to a libuv loop. A uv_poll handle watches the flow's fd for reading and
// runs process() when it is readable. No uv_timer is needed: the flow's deadlines and health
// checks are armed inside its fd (a timerfd), so the fd alone says when the flow needs the loop.
//
//   uv_loop_t* loop = uv_default_loop();
//   jflow::reactor::UvAttachment attached(loop, flow);
//   flow.start_async(...);
//   uv_run(loop, UV_RUN_DEFAULT);   // the flow's callbacks run from here, with the app's own
//   attached.rethrow_if_failed();   // an exception from process() stopped the loop
//
// An exception thrown by process() (a callback's, or a misuse) cannot cross libuv's C frames: it
// is kept, the poll is stopped, uv_stop() ends uv_run, and rethrow_if_failed() throws it.
// The destructor stops the poll and closes the handle; the handle's memory is released by the
// loop's next iteration (run the loop once more, or until uv_loop_close succeeds). It may be
// destroyed from inside a flow callback (e.g. on_closed): nothing touches it after process().
//
// Thread-safety: use it on the loop's thread, which must own the flow; the flow must outlive it.
#pragma once

#include <uv.h>

#include <exception>
#include <stdexcept>
#include <string>
#include <utility>

#include "jflow/async_flow.hpp"

namespace jflow::reactor {

class UvAttachment {
 public:
  UvAttachment(uv_loop_t* loop, AsyncFlow& flow) : loop_(loop), flow_(flow), poll_(new uv_poll_t) {
    check(uv_poll_init(loop_, poll_, flow_.native_handle()), "uv_poll_init");
    poll_->data = this;
    check(uv_poll_start(poll_, UV_READABLE, &UvAttachment::on_readable), "uv_poll_start");
  }
  ~UvAttachment() {
    uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_),
             [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
  }
  UvAttachment(const UvAttachment&) = delete;
  UvAttachment& operator=(const UvAttachment&) = delete;

  void rethrow_if_failed() {
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  static void check(int status, const char* what) {
    if (status < 0) throw std::runtime_error(std::string(what) + ": " + uv_strerror(status));
  }

  static void on_readable(uv_poll_t* handle, int status, int /*events*/) {
    auto* self = static_cast<UvAttachment*>(handle->data);
    try {
      check(status, "uv_poll on the flow's fd");
      self->flow_.process();
    } catch (...) {
      self->error_ = std::current_exception();
      uv_poll_stop(handle);
      uv_stop(self->loop_);
    }
  }

  uv_loop_t* loop_;
  AsyncFlow& flow_;
  uv_poll_t* poll_;  // heap: libuv may touch it until its close callback runs
  std::exception_ptr error_;
};

}  // namespace jflow::reactor
