// The Asio host of the reactor conformance suite: a standalone asio::io_context watching the
// flow's fd (through reactor::AsioAttachment) and an asio::steady_timer for the host's own timer.
#pragma once
#ifdef JFLOW_HAVE_ASIO

#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>

#include "jflow/async_flow.hpp"
#include "jflow/reactor/asio.hpp"

namespace jflow::test {

class AsioHost {
 public:
  explicit AsioHost(AsyncFlow& flow) : attached_(io_, flow) {}

  // Runs handlers until done() holds; false if `limit` passed first. Each run_one_until blocks
  // until a handler runs or the deadline; an exception from a handler propagates from here.
  bool run(const std::function<bool()>& done, Duration limit) {
    const auto give_up = std::chrono::steady_clock::now() + limit;
    gave_up_ = false;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= give_up) {
        gave_up_ = true;
        return false;
      }
      if (io_.stopped()) io_.restart();
      io_.run_one_until(give_up);
    }
    return true;
  }

  // A one-shot timer of the host's own, due `after` from now.
  void arm_timer(Duration after, std::function<void()> fired) {
    timer_.expires_after(after);
    timer_.async_wait([fired = std::move(fired)](const asio::error_code& error) {
      if (!error) fired();
    });
  }

  bool gave_up() const { return gave_up_; }

 private:
  asio::io_context io_;
  asio::steady_timer timer_{io_};
  reactor::AsioAttachment attached_;
  bool gave_up_ = false;
};

}  // namespace jflow::test

#endif  // JFLOW_HAVE_ASIO
