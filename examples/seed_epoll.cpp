// The seed scenario on a plain epoll loop: an application that owns its loop runs a flow whose
// pod waits d seconds (WaitDriver) next to an unrelated d-second timer. Both are started together
// and finish together, after about d — the flow never blocks the loop, not even to start or close.
//
//   build/examples/seed_epoll [d_ms]     (default 1000)
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/epoll.hpp"

using namespace std::chrono;

int main(int argc, char** argv) {
  const milliseconds d(argc > 1 ? std::stol(argv[1]) : 1000);
  jflow::AsyncFlow flow(
      jflow::FlowBuilder()
          .add("wait", "- !WaitDriver {duration: " + std::to_string(d.count()) + "ms}")
          .build());

  int host = epoll_create1(EPOLL_CLOEXEC);
  int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  epoll_event timer_event{};
  timer_event.events = EPOLLIN;
  timer_event.data.fd = timer;
  epoll_ctl(host, EPOLL_CTL_ADD, timer, &timer_event);
  jflow::reactor::EpollAttachment attached(host, flow);

  steady_clock::time_point begin;
  steady_clock::duration flow_took{}, timer_took{};
  bool replied = false, ticked = false, closed = false;
  bool failed = false;

  // When the flow is up, send the request and arm the timer at the same moment.
  flow.start_async([&](const std::optional<jflow::FlowError>& error) {
    if (error) {
      std::fprintf(stderr, "start failed: %s\n", error->what());
      failed = closed = true;
      return;
    }
    begin = steady_clock::now();
    jflow::Request request;
    request.docs.emplace_back().text = "hello";
    flow.submit(std::move(request), [&](jflow::Response&& response) {
      flow_took = steady_clock::now() - begin;
      replied = true;
      failed |= !response.ok();
      if (ticked) flow.close_async([&] { closed = true; });
    });
    itimerspec spec{};
    spec.it_value.tv_sec = d.count() / 1000;
    spec.it_value.tv_nsec = (d.count() % 1000) * 1'000'000;
    timerfd_settime(timer, 0, &spec, nullptr);
  });

  while (!closed) {
    epoll_event events[8];
    int n = epoll_wait(host, events, 8, -1);
    for (int i = 0; i < n; ++i) {
      if (attached.owns(events[i])) {
        attached.on_ready();
      } else if (events[i].data.fd == timer) {
        std::uint64_t count = 0;
        if (::read(timer, &count, sizeof count) <= 0) continue;
        timer_took = steady_clock::now() - begin;
        ticked = true;
        if (replied) flow.close_async([&] { closed = true; });
      }
    }
  }
  auto total = std::max(flow_took, timer_took);
  std::printf("epoll: flow request %.1f ms, timer %.1f ms, together %.1f ms; total - d = %.1f ms\n",
              duration<double, std::milli>(flow_took).count(),
              duration<double, std::milli>(timer_took).count(),
              duration<double, std::milli>(total).count(),
              duration<double, std::milli>(total - d).count());
  ::close(timer);
  ::close(host);
  return failed ? 1 : 0;
}
