// The seed scenario on libevent: a flow whose pod waits d seconds (WaitDriver) and an unrelated
// d-second timer event, started together in one event_base, finish together after about d.
// Start and close are non-blocking, so event_base_dispatch returns once the flow is closed.
//
//   build/examples/seed_libevent [d_ms]     (default 1000)
#include <event2/event.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/libevent.hpp"

using namespace std::chrono;

namespace {

struct Run {
  jflow::AsyncFlow* flow = nullptr;
  std::unique_ptr<jflow::reactor::EventAttachment> attached;
  steady_clock::time_point begin;
  steady_clock::duration flow_took{}, timer_took{};
  bool replied = false, ticked = false, failed = false;
  // Once both are done: close the flow, then detach, so the dispatch runs out of events.
  void maybe_close() {
    if (replied && ticked) flow->close_async([this] { attached.reset(); });
  }
};

}  // namespace

int main(int argc, char** argv) {
  const milliseconds d(argc > 1 ? std::stol(argv[1]) : 1000);
  jflow::AsyncFlow flow(
      jflow::FlowBuilder()
          .add("wait", "- !WaitDriver {duration: " + std::to_string(d.count()) + "ms}")
          .build());
  event_base* base = event_base_new();
  Run run;
  run.flow = &flow;
  run.attached = std::make_unique<jflow::reactor::EventAttachment>(base, flow);
  event* timer = evtimer_new(
      base,
      [](evutil_socket_t, short, void* arg) {
        auto* r = static_cast<Run*>(arg);
        r->timer_took = steady_clock::now() - r->begin;
        r->ticked = true;
        r->maybe_close();
      },
      &run);

  flow.start_async([&](const std::optional<jflow::FlowError>& error) {
    if (error) {
      std::fprintf(stderr, "start failed: %s\n", error->what());
      run.failed = true;
      run.attached.reset();
      return;
    }
    run.begin = steady_clock::now();
    jflow::Request request;
    request.docs.emplace_back().text = "hello";
    flow.submit(std::move(request), [&](jflow::Response&& response) {
      run.flow_took = steady_clock::now() - run.begin;
      run.replied = true;
      run.failed |= !response.ok();
      run.maybe_close();
    });
    timeval after{static_cast<time_t>(d.count() / 1000),
                  static_cast<suseconds_t>((d.count() % 1000) * 1000)};
    event_base_update_cache_time(base);  // timers count from libevent's cached time
    evtimer_add(timer, &after);
  });

  event_base_dispatch(base);
  auto total = std::max(run.flow_took, run.timer_took);
  std::printf(
      "libevent: flow request %.1f ms, timer %.1f ms, together %.1f ms; total - d = %.1f ms\n",
      duration<double, std::milli>(run.flow_took).count(),
      duration<double, std::milli>(run.timer_took).count(),
      duration<double, std::milli>(total).count(), duration<double, std::milli>(total - d).count());
  event_free(timer);
  event_base_free(base);
  return run.failed ? 1 : 0;
}
