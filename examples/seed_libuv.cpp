// The seed scenario on libuv: a flow whose pod waits d seconds (WaitDriver) and an unrelated
// d-second uv_timer, started together in one uv_run, finish together after about d. Start and
// close are non-blocking too, so uv_run returns on its own once the flow is closed.
//
//   build/examples/seed_libuv [d_ms]     (default 1000)
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/libuv.hpp"

using namespace std::chrono;

int main(int argc, char** argv) {
  const milliseconds d(argc > 1 ? std::stol(argv[1]) : 1000);
  jflow::AsyncFlow flow(
      jflow::FlowBuilder()
          .add("wait", "- !WaitDriver {duration: " + std::to_string(d.count()) + "ms}")
          .build());
  uv_loop_t* loop = uv_default_loop();
  auto attached = std::make_unique<jflow::reactor::UvAttachment>(loop, flow);

  struct State {
    jflow::AsyncFlow* flow;
    std::unique_ptr<jflow::reactor::UvAttachment>* attached;
    steady_clock::time_point begin;
    steady_clock::duration flow_took{}, timer_took{};
    bool replied = false, ticked = false, failed = false;
    // Once both are done: close the flow, then detach, so uv_run runs out of handles and returns.
    void maybe_close() {
      if (replied && ticked) flow->close_async([this] { attached->reset(); });
    }
  } state{&flow, &attached, {}};

  uv_timer_t timer;
  uv_timer_init(loop, &timer);
  timer.data = &state;

  flow.start_async([&](const std::optional<jflow::FlowError>& error) {
    if (error) {
      std::fprintf(stderr, "start failed: %s\n", error->what());
      state.failed = true;
      attached.reset();
      uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
      return;
    }
    state.begin = steady_clock::now();
    jflow::Request request;
    request.docs.emplace_back().text = "hello";
    flow.submit(std::move(request), [&](jflow::Response&& response) {
      state.flow_took = steady_clock::now() - state.begin;
      state.replied = true;
      state.failed |= !response.ok();
      state.maybe_close();
    });
    uv_update_time(loop);  // timers count from the loop's cached "now"
    uv_timer_start(
        &timer,
        [](uv_timer_t* t) {
          auto* s = static_cast<State*>(t->data);
          s->timer_took = steady_clock::now() - s->begin;
          s->ticked = true;
          uv_close(reinterpret_cast<uv_handle_t*>(t), nullptr);
          s->maybe_close();
        },
        static_cast<std::uint64_t>(d.count()), 0);
  });

  uv_run(loop, UV_RUN_DEFAULT);
  auto total = std::max(state.flow_took, state.timer_took);
  std::printf("libuv: flow request %.1f ms, timer %.1f ms, together %.1f ms; total - d = %.1f ms\n",
              duration<double, std::milli>(state.flow_took).count(),
              duration<double, std::milli>(state.timer_took).count(),
              duration<double, std::milli>(total).count(),
              duration<double, std::milli>(total - d).count());
  uv_loop_close(loop);
  return state.failed ? 1 : 0;
}
