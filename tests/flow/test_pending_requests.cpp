// PendingRequests finds callers by sequence number and deadlines in order; a request ends only
// once.
#include <catch2/catch.hpp>

#include "flow/pending_requests.hpp"

using namespace jflow;

TEST_CASE("pending requests: take by id, expire by deadline, take all", "[pending]") {
  PendingRequests pending;
  SteadyTime now = steady_now();
  auto entry = [](RequestType type, std::optional<SteadyTime> deadline) {
    PendingRequests::Entry out;
    out.type = type;
    out.deadline = deadline;
    return out;
  };
  pending.add(1, entry(RequestType::index, now + std::chrono::milliseconds(10)));
  pending.add(2, entry(RequestType::search, now + std::chrono::milliseconds(5)));
  pending.add(3, entry(RequestType::index, std::nullopt));
  CHECK(pending.size() == 3);
  CHECK(pending.next_deadline() == now + std::chrono::milliseconds(5));

  auto b = pending.take(2);
  REQUIRE(b);
  CHECK(b->type == RequestType::search);
  CHECK_FALSE(pending.take(2));  // already ended
  CHECK(pending.next_deadline() == now + std::chrono::milliseconds(10));

  CHECK(pending.take_expired(now).empty());
  auto expired = pending.take_expired(now + std::chrono::milliseconds(10));
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].first == 1);
  CHECK_FALSE(pending.next_deadline());

  auto rest = pending.take_all();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].first == 3);
  CHECK(pending.empty());
}

TEST_CASE("pending requests keep working as their nodes are reused", "[pending]") {
  // The entries live in a pool that hands freed nodes out again: many rounds of add and take,
  // out of order, with and without deadlines, each find exactly what was added.
  PendingRequests pending;
  const SteadyTime now = steady_now();
  PendingRequests::Sequence next = 0;
  for (int round = 0; round < 50; ++round) {
    const PendingRequests::Sequence first = next;
    for (int i = 0; i < 64; ++i, ++next) {
      PendingRequests::Entry entry;
      entry.sent_ns = static_cast<std::int64_t>(next);
      if (next % 3 == 0) entry.deadline = now + std::chrono::milliseconds(next % 7);
      pending.add(next, std::move(entry));
    }
    for (PendingRequests::Sequence id = next; id-- > first;) {  // newest first
      auto entry = pending.take(id);
      REQUIRE(entry);
      CHECK(entry->sent_ns == static_cast<std::int64_t>(id));
    }
    CHECK(pending.empty());
    CHECK_FALSE(pending.next_deadline());
  }
}
