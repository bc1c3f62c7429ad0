// AsyncFlow in a libuv loop: the seed scenario (a 1 s flow request and an unrelated 1 s uv_timer
// overlap), requests submitted from callbacks, and a non-blocking close, all from uv_run.
#ifdef JFLOW_HAVE_LIBUV

#include <catch2/catch.hpp>
#include <functional>
#include <iostream>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/libuv.hpp"
#include "reactor/callback_chain.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using namespace std::chrono_literals;

namespace {

// A libuv loop with one app timer; run() returns once done() holds (checked after every loop
// iteration) or a watchdog timer gives up.
struct UvHost {
  uv_loop_t loop{};
  uv_timer_t timer{};
  uv_timer_t watchdog{};
  uv_check_t checker{};
  int timer_fired = 0;
  bool gave_up = false;
  std::function<bool()> done;

  UvHost() {
    uv_loop_init(&loop);
    for (auto* t : {&timer, &watchdog}) {
      uv_timer_init(&loop, t);
      t->data = this;
    }
    uv_check_init(&loop, &checker);
    checker.data = this;
  }
  ~UvHost() {
    for (auto* h :
         {reinterpret_cast<uv_handle_t*>(&timer), reinterpret_cast<uv_handle_t*>(&watchdog),
          reinterpret_cast<uv_handle_t*>(&checker)})
      uv_close(h, nullptr);
    uv_run(&loop, UV_RUN_DEFAULT);  // finishes every close, the attachment's included
    uv_loop_close(&loop);
  }
  void arm_timer(Duration after) {
    // libuv counts timers from the loop's cached "now", stale after a callback; refresh it so the
    // timer lasts `after` from this moment.
    uv_update_time(&loop);
    uv_timer_start(
        &timer, [](uv_timer_t* t) { ++static_cast<UvHost*>(t->data)->timer_fired; },
        static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::milliseconds>(after).count()), 0);
  }
  bool run(std::function<bool()> until, Duration limit) {
    done = std::move(until);
    if (done()) return true;
    gave_up = false;
    uv_timer_start(
        &watchdog,
        [](uv_timer_t* t) {
          static_cast<UvHost*>(t->data)->gave_up = true;
          uv_stop(t->loop);
        },
        static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::milliseconds>(limit).count()), 0);
    uv_check_start(&checker, [](uv_check_t* c) {
      if (static_cast<UvHost*>(c->data)->done()) uv_stop(c->loop);
    });
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_check_stop(&checker);
    uv_timer_stop(&watchdog);
    return !gave_up && done();
  }
};

}  // namespace

TEST_CASE("a flow request and an unrelated uv_timer overlap in one libuv loop", "[async][libuv]") {
  AsyncFlow flow(FlowBuilder().add("wait", "- !WaitDriver {duration: 1s}").build(),
                 test::test_options());
  UvHost host;
  reactor::UvAttachment attached(&host.loop, flow);
  bool started = false;
  flow.start_async([&](const std::optional<FlowError>& error) { started = !error; });
  REQUIRE(host.run([&] { return started; }, 20s));

  bool replied = false;
  auto begin = std::chrono::steady_clock::now();
  flow.submit(test::text_request("x"), [&](Response&& r) { replied = r.ok(); });
  host.arm_timer(1s);
  REQUIRE(host.run([&] { return replied && host.timer_fired == 1; }, 10s));
  auto together = std::chrono::steady_clock::now() - begin;
  std::cout << "seed scenario (libuv): together "
            << std::chrono::duration_cast<std::chrono::microseconds>(together - 1s).count() / 1000.0
            << " ms over d=1s\n";
  CHECK(together < 1200ms);

  replied = false;
  begin = std::chrono::steady_clock::now();
  flow.submit(test::text_request("x"), [&](Response&& r) { replied = r.ok(); });
  REQUIRE(host.run([&] { return replied; }, 10s));
  host.arm_timer(1s);
  REQUIRE(host.run([&] { return host.timer_fired == 2; }, 10s));
  CHECK(std::chrono::steady_clock::now() - begin >= 2s);
  attached.rethrow_if_failed();
}

TEST_CASE("requests submitted from callbacks and a close, all inside uv_run", "[async][libuv]") {
  AsyncFlow flow(FlowBuilder().add("a").add("b").build(), test::test_options());
  UvHost host;
  reactor::UvAttachment attached(&host.loop, flow);
  test::CallbackChain chain(flow, 1000);
  REQUIRE(host.run([&] { return chain.closed(); }, 30s));
  attached.rethrow_if_failed();
  CHECK(chain.replies() == 1000);
  CHECK(flow.state() == AsyncFlow::State::closed);
}

TEST_CASE("an exception from a callback stops uv_run and is rethrown", "[async][libuv]") {
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  UvHost host;
  reactor::UvAttachment attached(&host.loop, flow);
  flow.start_async([](const std::optional<FlowError>&) { throw std::runtime_error("boom"); });
  host.run([] { return false; }, 20s);
  CHECK_FALSE(host.gave_up);  // uv_stop came from the attachment, not the watchdog
  CHECK_THROWS_WITH(attached.rethrow_if_failed(), "boom");
}

#endif  // JFLOW_HAVE_LIBUV
