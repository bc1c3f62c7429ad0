// AsyncFlow in a libevent event_base: the seed scenario (a 1 s flow request and an unrelated 1 s
// timer event overlap), and requests submitted from callbacks up to a non-blocking close.
#ifdef JFLOW_HAVE_LIBEVENT

#include <event2/event.h>

#include <catch2/catch.hpp>
#include <iostream>
#include <memory>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/libevent.hpp"
#include "reactor/callback_chain.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using namespace std::chrono_literals;

namespace {

// libevent's timers run on CLOCK_MONOTONIC_COARSE unless asked otherwise, so a 1 s timer may fire
// a few milliseconds early by steady_clock; the sequential case measures ≥ 2 s, so ask for precise
// timers.
event_base* precise_base() {
  event_config* config = event_config_new();
  event_config_set_flag(config, EVENT_BASE_FLAG_PRECISE_TIMER);
  event_base* base = event_base_new_with_config(config);
  event_config_free(config);
  return base;
}

struct Base {
  event_base* base = precise_base();
  ~Base() { event_base_free(base); }
};

// Runs the base until done() or the deadline; each EVLOOP_ONCE pass ends after one wake.
bool run_until(Base& b, const std::function<bool()>& done, Duration limit) {
  auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    event_base_loop(b.base, EVLOOP_ONCE);
  }
  return true;
}

}  // namespace

TEST_CASE("a flow request and an unrelated timer event overlap in one event_base",
          "[async][libevent]") {
  AsyncFlow flow(FlowBuilder().add("wait", "- !WaitDriver {duration: 1s}").build(),
                 test::test_options());
  Base b;
  reactor::EventAttachment attached(b.base, flow);
  bool started = false;
  flow.start_async([&](const std::optional<FlowError>& error) { started = !error; });
  REQUIRE(run_until(
      b, [&] { return started; }, 20s));

  int ticks = 0;
  std::unique_ptr<event, decltype(&event_free)> timer(
      evtimer_new(
          b.base, [](evutil_socket_t, short, void* arg) { ++*static_cast<int*>(arg); }, &ticks),
      &event_free);
  timeval one_second{1, 0};
  bool replied = false;
  auto begin = std::chrono::steady_clock::now();
  flow.submit(test::text_request("x"), [&](Response&& r) { replied = r.ok(); });
  // libevent measures timers from the time it cached when this loop pass began; refresh it so the
  // timer really lasts one second from now.
  event_base_update_cache_time(b.base);
  evtimer_add(timer.get(), &one_second);
  REQUIRE(run_until(
      b, [&] { return replied && ticks == 1; }, 10s));
  auto together = std::chrono::steady_clock::now() - begin;
  std::cout << "seed scenario (libevent): together "
            << std::chrono::duration_cast<std::chrono::microseconds>(together - 1s).count() / 1000.0
            << " ms over d=1s\n";
  CHECK(together < 1200ms);

  replied = false;
  begin = std::chrono::steady_clock::now();
  flow.submit(test::text_request("x"), [&](Response&& r) { replied = r.ok(); });
  REQUIRE(run_until(
      b, [&] { return replied; }, 10s));
  event_base_update_cache_time(b.base);
  evtimer_add(timer.get(), &one_second);
  REQUIRE(run_until(
      b, [&] { return ticks == 2; }, 10s));
  CHECK(std::chrono::steady_clock::now() - begin >= 2s);
  attached.rethrow_if_failed();
}

TEST_CASE("libevent: requests from callbacks and a close, all inside the dispatch",
          "[async][libevent]") {
  AsyncFlow flow(FlowBuilder().add("a").add("b").build(), test::test_options());
  Base b;
  reactor::EventAttachment attached(b.base, flow);
  test::CallbackChain chain(flow, 1000);
  REQUIRE(run_until(
      b, [&] { return chain.closed(); }, 30s));
  attached.rethrow_if_failed();
  CHECK(chain.replies() == 1000);
}

#endif  // JFLOW_HAVE_LIBEVENT
