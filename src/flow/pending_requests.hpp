// PendingRequests: the requests a flow has sent and not yet answered, by their sequence number
// (the counter at the end of the request_id the gateway gave them: a number hashes and compares
// without touching a string), with their deadlines in order — so a reply finds its caller and an
// expired request is found without a scan.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "jflow/flow.hpp"

namespace jflow {

class PendingRequests {
 public:
  struct Entry {
    ResponseCallback done;
    RequestType type = RequestType::index;
    std::optional<SteadyTime> deadline;
    Duration timeout{};
    std::string traceparent;   // so that a request ended without a reply still carries it
    std::int64_t sent_ns = 0;  // unix ns when the gateway sent it (metrics only; else 0)
  };
  using Sequence = std::uint64_t;
  using Taken = std::pair<Sequence, Entry>;

  void add(Sequence id, Entry entry);
  // Removes the request; nullopt when it is not pending (already ended, or never sent).
  std::optional<Entry> take(Sequence id);
  // Removes and returns every request whose deadline is at or before `now`.
  std::vector<Taken> take_expired(SteadyTime now);
  std::vector<Taken> take_all();
  std::optional<SteadyTime> next_deadline() const;
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::unordered_map<Sequence, Entry> entries_;
  std::multimap<SteadyTime, Sequence> deadlines_;
};

}  // namespace jflow
