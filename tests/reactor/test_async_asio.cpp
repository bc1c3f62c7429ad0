// AsyncFlow in a standalone Asio io_context: the seed scenario (a 1 s flow request and an
// unrelated 1 s steady_timer overlap), and a reply that came before the attachment existed.
#ifdef JFLOW_HAVE_ASIO

#include <asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <iostream>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/asio.hpp"
#include "reactor/callback_chain.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using namespace std::chrono_literals;

namespace {

// Runs handlers until done() or the deadline; run_one_for only bounds each wait.
bool run_until(asio::io_context& io, const std::function<bool()>& done, Duration limit) {
  auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    io.run_one_for(std::chrono::milliseconds(100));
  }
  return true;
}

}  // namespace

TEST_CASE("a flow request and an unrelated steady_timer overlap in one io_context",
          "[async][asio]") {
  AsyncFlow flow(FlowBuilder().add("wait", "- !WaitDriver {duration: 1s}").build(),
                 test::test_options());
  asio::io_context io;
  reactor::AsioAttachment attached(io, flow);
  bool started = false;
  flow.start_async([&](const std::optional<FlowError>& error) { started = !error; });
  REQUIRE(run_until(
      io, [&] { return started; }, 20s));

  asio::steady_timer timer(io);
  int ticks = 0;
  bool replied = false;
  auto begin = std::chrono::steady_clock::now();
  flow.submit(test::text_request("x"), [&](Response&& r) { replied = r.ok(); });
  timer.expires_after(1s);
  timer.async_wait([&](const asio::error_code&) { ++ticks; });
  REQUIRE(run_until(
      io, [&] { return replied && ticks == 1; }, 10s));
  auto together = std::chrono::steady_clock::now() - begin;
  std::cout << "seed scenario (asio): together "
            << std::chrono::duration_cast<std::chrono::microseconds>(together - 1s).count() / 1000.0
            << " ms over d=1s\n";
  CHECK(together < 1200ms);

  replied = false;
  begin = std::chrono::steady_clock::now();
  flow.submit(test::text_request("x"), [&](Response&& r) { replied = r.ok(); });
  REQUIRE(run_until(
      io, [&] { return replied; }, 10s));
  timer.expires_after(1s);
  timer.async_wait([&](const asio::error_code&) { ++ticks; });
  REQUIRE(run_until(
      io, [&] { return ticks == 2; }, 10s));
  CHECK(std::chrono::steady_clock::now() - begin >= 2s);
}

TEST_CASE("asio: many requests from callbacks and a close, with edges Asio may not keep",
          "[async][asio]") {
  AsyncFlow flow(FlowBuilder().add("a").add("b").build(), test::test_options());
  asio::io_context io;
  reactor::AsioAttachment attached(io, flow);
  test::CallbackChain chain(flow, 2000);
  REQUIRE(run_until(
      io, [&] { return chain.closed(); }, 30s));
  CHECK(chain.replies() == 2000);
}

#endif  // JFLOW_HAVE_ASIO
