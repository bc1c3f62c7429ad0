// A chain of requests driven entirely from inside a host loop's callbacks: start_async's callback
// submits the first request, each reply's callback submits the next, and the last reply's
// callback closes the flow with close_async. A case of the reactor conformance suite, run in
// every adapter's loop.
#pragma once

#include <catch2/catch.hpp>
#include <functional>

#include "jflow/async_flow.hpp"
#include "support/test_support.hpp"

namespace jflow::test {

class CallbackChain {
 public:
  // Starts `flow`; the chain runs as the host loop delivers the flow's callbacks.
  CallbackChain(AsyncFlow& flow, int length) : flow_(flow), length_(length) {
    next_ = [this](Response&& response) {
      REQUIRE(response.ok());
      if (++replies_ < length_) {
        flow_.submit(text_request("again"), next_);
      } else {
        flow_.close_async([this] { closed_ = true; });
      }
    };
    flow_.start_async([this](const std::optional<FlowError>& error) {
      REQUIRE_FALSE(error);
      flow_.submit(text_request("first"), next_);
    });
  }
  CallbackChain(const CallbackChain&) = delete;
  CallbackChain& operator=(const CallbackChain&) = delete;

  int replies() const { return replies_; }
  bool closed() const { return closed_; }

 private:
  AsyncFlow& flow_;
  int length_;
  int replies_ = 0;
  bool closed_ = false;
  std::function<void(Response&&)> next_;
};

}  // namespace jflow::test
