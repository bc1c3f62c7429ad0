// TopK: keeps the k best (score, row) pairs seen so far, for one query of an exact scan.
// A bounded heap with the worst kept entry on top: a new candidate costs one comparison unless it
// beats that entry, so a scan of n rows is O(n + m log k) for m improvements instead of a sort.
// "Better" is a higher score, and on equal scores the smaller id, so results never depend on row
// order, shard order, or the heap's internals.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace jflow::executors {

class TopK {
 public:
  struct Entry {
    float score;
    std::size_t row;
  };

  // `ids[row]` is the id of each row; it breaks ties and must outlive this object.
  TopK(std::size_t k, const std::vector<std::string>& ids) : k_(k), ids_(&ids) { heap_.reserve(k); }

  void offer(float score, std::size_t row) {
    if (k_ == 0) return;
    if (heap_.size() == k_) {
      // The fast path: most rows lose to the current worst on score alone.
      if (score < heap_.front().score) return;
      if (!better({score, row}, heap_.front())) return;
      replace_worst({score, row});
      return;
    }
    push({score, row});
  }

  // The kept entries, best first. Leaves this object empty.
  std::vector<Entry> take_sorted();

 private:
  bool better(const Entry& a, const Entry& b) const {
    if (a.score != b.score) return a.score > b.score;
    return (*ids_)[a.row] < (*ids_)[b.row];
  }
  void push(Entry entry);
  void replace_worst(Entry entry);

  std::size_t k_;
  const std::vector<std::string>* ids_;
  std::vector<Entry> heap_;
};

}  // namespace jflow::executors
