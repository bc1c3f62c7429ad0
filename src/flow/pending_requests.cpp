#include "flow/pending_requests.hpp"

namespace jflow {

void PendingRequests::add(Sequence id, Entry entry) {
  if (entry.deadline) deadlines_.emplace(*entry.deadline, id);
  entries_.emplace(id, std::move(entry));
}

std::optional<PendingRequests::Entry> PendingRequests::take(Sequence id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return std::nullopt;
  Entry entry = std::move(it->second);
  entries_.erase(it);
  if (entry.deadline) {
    auto [first, last] = deadlines_.equal_range(*entry.deadline);
    for (auto d = first; d != last; ++d) {
      if (d->second == id) {
        deadlines_.erase(d);
        break;
      }
    }
  }
  return entry;
}

std::vector<PendingRequests::Taken> PendingRequests::take_expired(SteadyTime now) {
  std::vector<Taken> expired;
  while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
    Sequence id = deadlines_.begin()->second;
    deadlines_.erase(deadlines_.begin());
    auto it = entries_.find(id);
    if (it == entries_.end()) continue;
    expired.emplace_back(id, std::move(it->second));
    entries_.erase(it);
  }
  return expired;
}

std::vector<PendingRequests::Taken> PendingRequests::take_all() {
  std::vector<Taken> all;
  all.reserve(entries_.size());
  for (auto& [id, entry] : entries_) all.emplace_back(id, std::move(entry));
  entries_.clear();
  deadlines_.clear();
  return all;
}

std::optional<SteadyTime> PendingRequests::next_deadline() const {
  if (deadlines_.empty()) return std::nullopt;
  return deadlines_.begin()->first;
}

}  // namespace jflow
