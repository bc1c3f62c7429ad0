// One conformance suite for every reactor adapter (jflow/reactor/: epoll, libuv, Asio, libevent):
// the same test cases, written once, run against each adapter available in this build. Each host
// (reactor/*_host.hpp) is the adapter attached to its loop, plus what the suite needs of the loop:
//
//   explicit Host(AsyncFlow& flow)     makes the loop and attaches the flow's fd to it
//   bool run(done, limit)              runs the loop until done() holds after a wake; false if
//                                      `limit` passed first. It waits in the loop's own blocking
//                                      wait, with no polling interval: a wake comes from an event
//   void arm_timer(after, fired)       a one-shot timer of the loop's own kind
//   bool gave_up() const               whether the last run() ended at its limit
//
// No case measures how long anything took: each waits for the events it expects, with a deadline,
// and checks what happened in which order. How long the seed scenario takes in each loop is
// measured, not asserted, by bench/bench_async.cpp and examples/seed_*.cpp.
#include <catch2/catch.hpp>

#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>

#include "jflow/async_flow.hpp"
#include "reactor/asio_host.hpp"
#include "reactor/callback_chain.hpp"
#include "reactor/epoll_host.hpp"
#include "reactor/libevent_host.hpp"
#include "reactor/libuv_host.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using namespace jflow::test;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

// The hosts of the adapters this build has (CMake defines JFLOW_HAVE_* for each library found).
#ifdef JFLOW_HAVE_LIBUV
#define JFLOW_UV_HOST , UvHost
#else
#define JFLOW_UV_HOST
#endif
#ifdef JFLOW_HAVE_ASIO
#define JFLOW_ASIO_HOST , AsioHost
#else
#define JFLOW_ASIO_HOST
#endif
#ifdef JFLOW_HAVE_LIBEVENT
#define JFLOW_EVENT_HOST , EventHost
#else
#define JFLOW_EVENT_HOST
#endif
#define JFLOW_REACTOR_HOSTS EpollHost JFLOW_UV_HOST JFLOW_ASIO_HOST JFLOW_EVENT_HOST

namespace {

template <typename Host>
void start_in(Host& host, AsyncFlow& flow) {
  std::optional<FlowError> error;
  bool started = false;
  flow.start_async([&](const std::optional<FlowError>& e) {
    error = e;
    started = true;
  });
  REQUIRE(host.run([&] { return started; }, 20s));
  REQUIRE_FALSE(error);
}

}  // namespace

TEMPLATE_TEST_CASE("a flow request and an unrelated host timer overlap in one loop",
                   "[async][reactor]", JFLOW_REACTOR_HOSTS) {
  // The pod holds the request for 1 s; the host's own timer, armed right after the submit, is
  // due in 10 ms. An adapter that lets the loop serve other events while a request is in flight
  // fires the timer first, the request still pending; one that blocked on the flow would not.
  AsyncFlow flow(FlowBuilder().add("wait", "- !WaitDriver {duration: 1s}").build(),
                 test::test_options());
  TestType host(flow);
  start_in(host, flow);

  std::optional<Status> reply;
  int timer_fired = 0;
  std::size_t in_flight_at_timer = 0;
  bool replied_at_timer = false;
  flow.submit(test::text_request("x"), [&](Response&& r) { reply = r.status(); });
  host.arm_timer(10ms, [&] {
    ++timer_fired;
    in_flight_at_timer = flow.in_flight();
    replied_at_timer = reply.has_value();
  });
  REQUIRE(host.run([&] { return reply && timer_fired == 1; }, 10s));
  CHECK(reply->ok());
  CHECK(in_flight_at_timer == 1);
  CHECK_FALSE(replied_at_timer);
  CHECK(flow.in_flight() == 0);
}

TEMPLATE_TEST_CASE("a reply pending before the adapter is attached is delivered",
                   "[async][reactor]", JFLOW_REACTOR_HOSTS) {
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  flow.start_async();
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (flow.state() == AsyncFlow::State::starting && std::chrono::steady_clock::now() < give_up) {
    wait_readable(flow.native_handle(), 1s);
    flow.process();
  }
  REQUIRE(flow.state() == AsyncFlow::State::running);
  bool replied = false;
  flow.submit(test::text_request("early"), [&](Response&& r) { replied = r.ok(); });
  // process(0) does the flow's housekeeping but fires no callback; once it reports work ready
  // now, the reply sits in the socket and its ZMQ_FD edge has been consumed.
  while (flow.next_timeout() != Duration::zero() && std::chrono::steady_clock::now() < give_up) {
    wait_readable(flow.native_handle(), 100ms);
    flow.process(0);
  }
  REQUIRE(flow.next_timeout() == Duration::zero());
  REQUIRE_FALSE(replied);

  TestType host(flow);  // attached only now: the fd must still say there is work
  REQUIRE(host.run([&] { return replied; }, 10s));
}

TEMPLATE_TEST_CASE("10000 requests complete, each reply making room for the next",
                   "[async][reactor]", JFLOW_REACTOR_HOSTS) {
  AsyncFlow flow(FlowBuilder().add("a").add("b").build(), test::test_options());
  TestType host(flow);
  start_in(host, flow);
  constexpr int kTotal = 10000;
  int sent = 0;
  int ok = 0;
  int done = 0;
  // Keep as many in flight as the flow accepts; each reply makes room for the next request.
  std::function<void()> fill = [&] {
    while (sent < kTotal && !flow.at_capacity()) {
      ++sent;
      flow.submit(test::text_request("x"), [&](Response&& r) {
        ok += r.ok();
        ++done;
        fill();
      });
    }
  };
  fill();
  REQUIRE(host.run([&] { return done == kTotal; }, 60s));
  CHECK(ok == kTotal);
  CHECK(flow.in_flight() == 0);
}

TEMPLATE_TEST_CASE("requests submitted from callbacks, then a close, all inside the loop",
                   "[async][reactor]", JFLOW_REACTOR_HOSTS) {
  // start_async's callback sends the first request, each reply's callback the next, the last
  // one's callback closes the flow: nothing outside the loop drives it.
  AsyncFlow flow(FlowBuilder().add("a").add("b").build(), test::test_options());
  TestType host(flow);
  CallbackChain chain(flow, 1000);
  REQUIRE(host.run([&] { return chain.closed(); }, 30s));
  CHECK(chain.replies() == 1000);
  CHECK(flow.state() == AsyncFlow::State::closed);
}

TEMPLATE_TEST_CASE("an exception from a flow callback leaves the loop's run at once",
                   "[async][reactor][errors]", JFLOW_REACTOR_HOSTS) {
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  TestType host(flow);
  flow.start_async([](const std::optional<FlowError>&) { throw std::runtime_error("boom"); });
  CHECK_THROWS_WITH(host.run([] { return false; }, 20s), "boom");
  CHECK_FALSE(host.gave_up());  // the exception ended the run, not its limit
}

TEMPLATE_TEST_CASE("process() re-entered from a callback is refused", "[async][reactor][errors]",
                   JFLOW_REACTOR_HOSTS) {
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  TestType host(flow);
  start_in(host, flow);
  std::string error;
  bool replied = false;
  flow.submit(test::text_request("x"), [&](Response&&) {
    replied = true;
    try {
      flow.process();
    } catch (const FlowError& e) {
      error = e.what();
    }
  });
  REQUIRE(host.run([&] { return replied; }, 10s));
  CHECK_THAT(error, Contains("re-entered"));
}

TEMPLATE_TEST_CASE("a failed async start reports the pea and closes the flow",
                   "[async][reactor][errors]", JFLOW_REACTOR_HOSTS) {
  FlowSpec spec = FlowBuilder().add("p").build();
  spec.pods[0].drivers.by_type[RequestType::index] = {{"NoSuchDriver", "{}", {}}};
  AsyncFlow flow(spec, test::test_options());
  TestType host(flow);
  std::optional<FlowError> error;
  bool heard = false;
  flow.start_async([&](const std::optional<FlowError>& e) {
    error = e;
    heard = true;
  });
  REQUIRE(host.run([&] { return heard; }, 20s));
  REQUIRE(error);
  CHECK_THAT(error->what(), Contains("pea 'p'") && Contains("NoSuchDriver"));
  CHECK(flow.state() == AsyncFlow::State::closed);
}

// AsyncFlow's own rules, whatever loop runs it (shown here under epoll).
TEST_CASE("AsyncFlow misuse is refused with an error", "[async][errors]") {
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  CHECK_THROWS_WITH(flow.submit(test::text_request("x"), nullptr), Contains("not started"));
  EpollHost host(flow);
  start_in(host, flow);

  SECTION("submit from another thread") {
    std::string error;
    std::thread other([&] {
      try {
        flow.submit(test::text_request("x"), nullptr);
      } catch (const FlowError& e) {
        error = e.what();
      }
    });
    other.join();
    CHECK_THAT(error, Contains("thread"));
    CHECK(flow.in_flight() == 0);
  }
  SECTION("submit after close") {
    bool closed = false;
    flow.close_async([&] { closed = true; });
    CHECK_THROWS_WITH(flow.submit(test::text_request("x"), nullptr), Contains("closed"));
    REQUIRE(host.run([&] { return closed; }, 10s));
    CHECK_THROWS_WITH(flow.submit(test::text_request("x"), nullptr), Contains("closed"));
    CHECK_THROWS_WITH(flow.start_async(), Contains("already"));
  }
}
