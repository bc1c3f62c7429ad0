// AsyncFlow in a host epoll loop: the seed scenario (a 1 s flow request and an unrelated 1 s
// timer overlap), a reply that arrived before the fd was registered, many requests woken only
// through the fd, submits from inside callbacks, and misuse that must fail loudly.
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <iostream>
#include <thread>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/epoll.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

struct Fd {
  int fd;
  ~Fd() { ::close(fd); }
};

// A host loop: epoll on the flow's fd and, optionally, a timerfd. Runs until done() or the
// deadline; every wake must come from a registered fd (a watchdog timeout fails the run).
struct HostLoop {
  Fd epoll{epoll_create1(EPOLL_CLOEXEC)};
  Fd timer{timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)};
  int timer_fired = 0;
  int watchdog_wakes = 0;

  HostLoop() {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = timer.fd;
    epoll_ctl(epoll.fd, EPOLL_CTL_ADD, timer.fd, &event);
  }
  void arm_timer(Duration after) {
    itimerspec spec{};
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(after).count();
    spec.it_value.tv_sec = ns / 1'000'000'000;
    spec.it_value.tv_nsec = ns % 1'000'000'000;
    timerfd_settime(timer.fd, 0, &spec, nullptr);
  }
  bool run(reactor::EpollAttachment& flow, const std::function<bool()>& done, Duration limit) {
    auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= give_up) return false;
      epoll_event events[8];
      int n = epoll_wait(epoll.fd, events, 8, 5000);  // watchdog only: wakes come from fds
      if (n == 0) ++watchdog_wakes;
      for (int i = 0; i < n; ++i) {
        if (flow.owns(events[i])) {
          flow.on_ready();
        } else if (events[i].data.fd == timer.fd) {
          std::uint64_t count = 0;
          if (::read(timer.fd, &count, sizeof count) > 0) ++timer_fired;
        }
      }
    }
    return true;
  }
};

void start_in(HostLoop& loop, reactor::EpollAttachment& attached, AsyncFlow& flow) {
  bool started = false;
  flow.start_async([&](const std::optional<FlowError>& error) {
    REQUIRE_FALSE(error);
    started = true;
  });
  REQUIRE(loop.run(
      attached, [&] { return started; }, 20s));
}

}  // namespace

TEST_CASE("a flow request and an unrelated timer overlap in one epoll loop", "[async][epoll]") {
  AsyncFlow flow(FlowBuilder().add("wait", "- !WaitDriver {duration: 1s}").build(),
                 test::test_options());
  HostLoop loop;
  reactor::EpollAttachment attached(loop.epoll.fd, flow);
  start_in(loop, attached, flow);

  bool replied = false;
  auto begin = std::chrono::steady_clock::now();
  flow.submit(test::text_request("x"), [&](Response&& r) {
    CHECK(r.ok());
    replied = true;
  });
  loop.arm_timer(1s);
  REQUIRE(loop.run(
      attached, [&] { return replied && loop.timer_fired == 1; }, 10s));
  auto together = std::chrono::steady_clock::now() - begin;
  std::cout << "seed scenario (epoll): together "
            << std::chrono::duration_cast<std::chrono::microseconds>(together - 1s).count() / 1000.0
            << " ms over d=1s\n";
  CHECK(together < 1200ms);

  // One after the other: the same work takes the sum.
  replied = false;
  begin = std::chrono::steady_clock::now();
  flow.submit(test::text_request("x"), [&](Response&& r) { replied = r.ok(); });
  REQUIRE(loop.run(
      attached, [&] { return replied; }, 10s));
  loop.arm_timer(1s);
  REQUIRE(loop.run(
      attached, [&] { return loop.timer_fired == 2; }, 10s));
  CHECK(std::chrono::steady_clock::now() - begin >= 2s);
  CHECK(loop.watchdog_wakes == 0);
}

TEST_CASE("a reply pending before the fd is registered is delivered", "[async][epoll]") {
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  flow.start_async();
  while (flow.state() == AsyncFlow::State::starting) {
    wait_readable(flow.native_handle(), 1s);
    flow.process();
  }
  REQUIRE(flow.state() == AsyncFlow::State::running);
  bool replied = false;
  flow.submit(test::text_request("early"), [&](Response&& r) { replied = r.ok(); });
  // process(0) does the flow's housekeeping but fires no callback; once it reports work ready
  // now, the reply sits in the socket and its ZMQ_FD edge has been consumed.
  auto give_up = std::chrono::steady_clock::now() + 10s;
  while (flow.next_timeout() != Duration::zero() && std::chrono::steady_clock::now() < give_up) {
    wait_readable(flow.native_handle(), 100ms);
    flow.process(0);
  }
  REQUIRE(flow.next_timeout() == Duration::zero());
  REQUIRE_FALSE(replied);

  HostLoop loop;
  reactor::EpollAttachment attached(loop.epoll.fd, flow);
  REQUIRE(loop.run(
      attached, [&] { return replied; }, 5s));
  CHECK(loop.watchdog_wakes == 0);
}

TEST_CASE("10000 requests complete with the loop woken only through the fd", "[async][epoll]") {
  AsyncFlow flow(FlowBuilder().add("a").add("b").build(), test::test_options());
  HostLoop loop;
  reactor::EpollAttachment attached(loop.epoll.fd, flow);
  start_in(loop, attached, flow);
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
  REQUIRE(loop.run(
      attached, [&] { return done == kTotal; }, 60s));
  CHECK(ok == kTotal);
  CHECK(loop.watchdog_wakes == 0);
  CHECK(flow.in_flight() == 0);
}

TEST_CASE("a callback submits new requests from inside process()", "[async][epoll]") {
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  HostLoop loop;
  reactor::EpollAttachment attached(loop.epoll.fd, flow);
  start_in(loop, attached, flow);
  int chain = 0;
  std::function<void(Response &&)> next = [&](Response&& r) {
    REQUIRE(r.ok());
    if (++chain < 50) flow.submit(test::text_request("again"), next);
  };
  flow.submit(test::text_request("first"), next);
  REQUIRE(loop.run(
      attached, [&] { return chain == 50; }, 20s));
  CHECK(loop.watchdog_wakes == 0);

  bool closed = false;
  flow.close_async([&] { closed = true; });
  REQUIRE(loop.run(
      attached, [&] { return closed; }, 10s));
  CHECK(flow.state() == AsyncFlow::State::closed);
}

TEST_CASE("AsyncFlow misuse is refused with an error", "[async][epoll][errors]") {
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  CHECK_THROWS_WITH(flow.submit(test::text_request("x"), nullptr), Contains("not started"));
  HostLoop loop;
  reactor::EpollAttachment attached(loop.epoll.fd, flow);
  start_in(loop, attached, flow);

  SECTION("process() re-entered from a callback") {
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
    REQUIRE(loop.run(
        attached, [&] { return replied; }, 10s));
    CHECK_THAT(error, Contains("re-entered"));
  }
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
    REQUIRE(loop.run(
        attached, [&] { return closed; }, 10s));
    CHECK_THROWS_WITH(flow.submit(test::text_request("x"), nullptr), Contains("closed"));
    CHECK_THROWS_WITH(flow.start_async(), Contains("already"));
  }
}

TEST_CASE("a failed async start reports the pea and closes the flow", "[async][epoll][errors]") {
  FlowSpec spec = FlowBuilder().add("p").build();
  spec.pods[0].drivers.by_type[RequestType::index] = {{"NoSuchDriver", "{}", {}}};
  AsyncFlow flow(spec, test::test_options());
  HostLoop loop;
  reactor::EpollAttachment attached(loop.epoll.fd, flow);
  std::optional<FlowError> error;
  bool heard = false;
  flow.start_async([&](const std::optional<FlowError>& e) {
    error = e;
    heard = true;
  });
  REQUIRE(loop.run(
      attached, [&] { return heard; }, 20s));
  REQUIRE(error);
  CHECK_THAT(error->what(), Contains("pea 'p'") && Contains("NoSuchDriver"));
  CHECK(flow.state() == AsyncFlow::State::closed);
}
