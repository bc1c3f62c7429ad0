// DeferredQueue: requests a driver asked to continue later (WaitDriver), ordered by when they are
// due. The pea's poll timeout comes from the earliest one, so waiting never blocks the loop.
#pragma once

#include <cstddef>
#include <optional>
#include <queue>
#include <vector>

#include "base/clock.hpp"
#include "jflow/message.hpp"

namespace jflow {

struct DeferredRequest {
  SteadyTime due;
  std::size_t next_driver;  // where in the chain the request resumes
  std::uint64_t order;      // ties broken by arrival, so equal waits keep their order
  Message message;
};

class DeferredQueue {
 public:
  void push(SteadyTime due, std::size_t next_driver, Message message);
  std::optional<SteadyTime> next_due() const;
  // Removes and returns the earliest request if it is due at `now`.
  std::optional<DeferredRequest> pop_due(SteadyTime now);
  std::size_t size() const { return heap_.size(); }

 private:
  struct Later {
    bool operator()(const DeferredRequest& a, const DeferredRequest& b) const {
      return a.due != b.due ? a.due > b.due : a.order > b.order;
    }
  };
  std::vector<DeferredRequest> heap_;
  std::uint64_t next_order_ = 0;
};

}  // namespace jflow
