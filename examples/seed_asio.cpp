// The seed scenario on standalone Asio: a flow whose pod waits d seconds (WaitDriver) and an
// unrelated d-second steady_timer, started together in one io_context, finish together after
// about d. Start and close are non-blocking, so io.run() returns once the flow is closed.
//
//   build/examples/seed_asio [d_ms]     (default 1000)
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/asio.hpp"

using namespace std::chrono;

int main(int argc, char** argv) {
  const milliseconds d(argc > 1 ? std::stol(argv[1]) : 1000);
  jflow::AsyncFlow flow(
      jflow::FlowBuilder()
          .add("wait", "- !WaitDriver {duration: " + std::to_string(d.count()) + "ms}")
          .build());
  asio::io_context io;
  auto attached = std::make_unique<jflow::reactor::AsioAttachment>(io, flow);
  asio::steady_timer timer(io);

  steady_clock::time_point begin;
  steady_clock::duration flow_took{}, timer_took{};
  bool replied = false, ticked = false, failed = false;
  // Once both are done: close the flow, then detach, so io.run() runs out of work and returns.
  auto maybe_close = [&] {
    if (replied && ticked) flow.close_async([&] { attached.reset(); });
  };

  flow.start_async([&](const std::optional<jflow::FlowError>& error) {
    if (error) {
      std::fprintf(stderr, "start failed: %s\n", error->what());
      failed = true;
      attached.reset();
      return;
    }
    begin = steady_clock::now();
    jflow::Request request;
    request.docs.emplace_back().text = "hello";
    flow.submit(std::move(request), [&](jflow::Response&& response) {
      flow_took = steady_clock::now() - begin;
      replied = true;
      failed |= !response.ok();
      maybe_close();
    });
    timer.expires_after(d);
    timer.async_wait([&](const asio::error_code&) {
      timer_took = steady_clock::now() - begin;
      ticked = true;
      maybe_close();
    });
  });

  io.run();
  auto total = std::max(flow_took, timer_took);
  std::printf("asio: flow request %.1f ms, timer %.1f ms, together %.1f ms; total - d = %.1f ms\n",
              duration<double, std::milli>(flow_took).count(),
              duration<double, std::milli>(timer_took).count(),
              duration<double, std::milli>(total).count(),
              duration<double, std::milli>(total - d).count());
  return failed ? 1 : 0;
}
