// PendingRequests: the requests a flow has sent and not yet answered, by their sequence number
// (the counter at the end of the request_id the gateway gave them: a number hashes and compares
// without touching a string), with their deadlines in order — so a reply finds its caller and an
// expired request is found without a scan.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory_resource>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/clock.hpp"
#include "jflow/flow.hpp"
#include "wire/traceparent.hpp"

namespace jflow {

class PendingRequests {
 public:
  struct Entry {
    ResponseCallback done;
    RequestType type = RequestType::index;
    std::optional<SteadyTime> deadline;
    Duration timeout{};
    // So that a request ended without a reply still carries it; held in place, not on the heap.
    InlineTraceparent traceparent;
    std::int64_t sent_ns = 0;  // unix ns when the gateway sent it (metrics only; else 0)
  };
  using Sequence = std::uint64_t;
  using Taken = std::pair<Sequence, Entry>;

  PendingRequests() = default;
  // Not copied or moved: the containers allocate from pool_, a member.
  PendingRequests(const PendingRequests&) = delete;
  PendingRequests& operator=(const PendingRequests&) = delete;

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
  // The nodes come from a pool that keeps what was freed: a request in flight costs no heap
  // allocation once the window has been full once (a node per request was one of the
  // gateway's allocations per request; bench_chain counts them).
  std::pmr::unsynchronized_pool_resource pool_;
  std::pmr::unordered_map<Sequence, Entry> entries_{&pool_};
  std::pmr::multimap<SteadyTime, Sequence> deadlines_{&pool_};
};

}  // namespace jflow
