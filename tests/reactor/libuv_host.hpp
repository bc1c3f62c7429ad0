// The libuv host of the reactor conformance suite: a uv_loop_t watching the flow's fd (through
// reactor::UvAttachment), a uv_timer for the host's own timer, and a watchdog timer that bounds
// each run.
#pragma once
#ifdef JFLOW_HAVE_LIBUV

#include <chrono>
#include <cstdint>
#include <functional>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/libuv.hpp"

namespace jflow::test {

class UvHost {
 public:
  explicit UvHost(AsyncFlow& flow) : attached_(&loop_.loop, flow) {}

  // Runs uv_run until done() holds (checked after every loop iteration); false if the watchdog
  // gave up first. An exception the attachment caught (it stops the loop) is rethrown here.
  bool run(std::function<bool()> done, Duration limit) {
    loop_.done = std::move(done);
    loop_.gave_up = false;
    if (loop_.done()) return true;
    uv_timer_start(
        &loop_.watchdog,
        [](uv_timer_t* t) {
          static_cast<Loop*>(t->data)->gave_up = true;
          uv_stop(t->loop);
        },
        milliseconds(limit), 0);
    uv_check_start(&loop_.checker, [](uv_check_t* c) {
      if (static_cast<Loop*>(c->data)->done()) uv_stop(c->loop);
    });
    uv_run(&loop_.loop, UV_RUN_DEFAULT);
    uv_check_stop(&loop_.checker);
    uv_timer_stop(&loop_.watchdog);
    attached_.rethrow_if_failed();
    return !loop_.gave_up && loop_.done();
  }

  // A one-shot timer of the host's own, due `after` from now.
  void arm_timer(Duration after, std::function<void()> fired) {
    loop_.on_timer = std::move(fired);
    // libuv counts timers from the loop's cached "now", stale after a callback; refresh it so the
    // timer lasts `after` from this moment.
    uv_update_time(&loop_.loop);
    uv_timer_start(
        &loop_.timer,
        [](uv_timer_t* t) {
          if (auto& on_timer = static_cast<Loop*>(t->data)->on_timer) on_timer();
        },
        milliseconds(after), 0);
  }

  bool gave_up() const { return loop_.gave_up; }

 private:
  static std::uint64_t milliseconds(Duration d) {
    return static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::milliseconds>(d).count());
  }

  // The loop and its handles; destroyed after the attachment, whose close it completes.
  struct Loop {
    uv_loop_t loop{};
    uv_timer_t timer{};
    uv_timer_t watchdog{};
    uv_check_t checker{};
    std::function<bool()> done;
    std::function<void()> on_timer;
    bool gave_up = false;

    Loop() {
      uv_loop_init(&loop);
      for (auto* t : {&timer, &watchdog}) {
        uv_timer_init(&loop, t);
        t->data = this;
      }
      uv_check_init(&loop, &checker);
      checker.data = this;
    }
    ~Loop() {
      for (auto* h :
           {reinterpret_cast<uv_handle_t*>(&timer), reinterpret_cast<uv_handle_t*>(&watchdog),
            reinterpret_cast<uv_handle_t*>(&checker)})
        uv_close(h, nullptr);
      uv_run(&loop, UV_RUN_DEFAULT);  // finishes every close, the attachment's included
      uv_loop_close(&loop);
    }
  };
  Loop loop_;
  reactor::UvAttachment attached_;
};

}  // namespace jflow::test

#endif  // JFLOW_HAVE_LIBUV
