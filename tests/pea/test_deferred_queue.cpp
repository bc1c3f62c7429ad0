// DeferredQueue releases requests in due order, equal due times in arrival order, never early.
#include <catch2/catch.hpp>

#include "pea/deferred_queue.hpp"

using namespace jflow;

namespace {

Message named(const std::string& id) {
  Envelope envelope;
  envelope.request_id = id;
  return Message(envelope, zmq::message_t());
}

}  // namespace

TEST_CASE("deferred requests come out by due time, ties in arrival order", "[deferred]") {
  DeferredQueue queue;
  SteadyTime now = steady_now();
  queue.push(now + std::chrono::milliseconds(30), 1, named("late"));
  queue.push(now + std::chrono::milliseconds(10), 2, named("first"));
  queue.push(now + std::chrono::milliseconds(10), 3, named("second"));
  CHECK(queue.next_due() == now + std::chrono::milliseconds(10));
  CHECK_FALSE(queue.pop_due(now));  // nothing is due yet
  auto a = queue.pop_due(now + std::chrono::milliseconds(20));
  auto b = queue.pop_due(now + std::chrono::milliseconds(20));
  REQUIRE(a);
  REQUIRE(b);
  CHECK(a->message.envelope().request_id == "first");
  CHECK(a->next_driver == 2);
  CHECK(b->message.envelope().request_id == "second");
  CHECK_FALSE(queue.pop_due(now + std::chrono::milliseconds(20)));
  CHECK(queue.size() == 1);
  CHECK(queue.pop_due(now + std::chrono::milliseconds(30))->message.envelope().request_id ==
        "late");
  CHECK_FALSE(queue.next_due());
}
