#include "pea/deferred_queue.hpp"

#include <algorithm>

namespace jflow {

void DeferredQueue::push(SteadyTime due, std::size_t next_driver, Message message) {
  heap_.push_back({due, next_driver, next_order_++, std::move(message)});
  std::push_heap(heap_.begin(), heap_.end(), Later{});
}

std::optional<SteadyTime> DeferredQueue::next_due() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.front().due;
}

std::optional<DeferredRequest> DeferredQueue::pop_due(SteadyTime now) {
  if (heap_.empty() || heap_.front().due > now) return std::nullopt;
  std::pop_heap(heap_.begin(), heap_.end(), Later{});
  DeferredRequest request = std::move(heap_.back());
  heap_.pop_back();
  return request;
}

}  // namespace jflow
