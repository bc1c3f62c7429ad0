// TopK: a std heap ordered by "better", so its front is the worst entry kept.
#include "executors/top_k.hpp"

#include <algorithm>
#include <utility>

namespace jflow::executors {

void TopK::push(Entry entry) {
  heap_.push_back(entry);
  std::push_heap(heap_.begin(), heap_.end(),
                 [this](const Entry& a, const Entry& b) { return better(a, b); });
}

void TopK::replace_worst(Entry entry) {
  const auto by_better = [this](const Entry& a, const Entry& b) { return better(a, b); };
  std::pop_heap(heap_.begin(), heap_.end(), by_better);
  heap_.back() = entry;
  std::push_heap(heap_.begin(), heap_.end(), by_better);
}

std::vector<TopK::Entry> TopK::take_sorted() {
  // sort_heap orders ascending by the comparator, and "a < b" here means "a is better".
  std::sort_heap(heap_.begin(), heap_.end(),
                 [this](const Entry& a, const Entry& b) { return better(a, b); });
  return std::exchange(heap_, {});
}

}  // namespace jflow::executors
