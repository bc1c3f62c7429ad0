// JoinTable: parts are gathered per request and sender; duplicates are ignored; a request whose
// parts do not all come is released as an error naming the missing senders; the joined route
// names the hops the parts share once and keeps each part's own hops with their timings.
#include <catch2/catch.hpp>

#include "jflow/codec.hpp"
#include "pea/join_table.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

namespace {

Message part(const std::string& id, const std::string& sender, const std::string& text,
             Status status = {}) {
  Envelope envelope;
  envelope.request_id = id;
  envelope.status = status;
  envelope.routes.push_back({sender, sender, 1, 2});
  std::string body = encode_body(test::text_request(text));
  return Message(envelope, zmq::message_t(body.data(), body.size()));
}

Message part_with_route(const std::string& id, std::vector<Route> routes) {
  Envelope envelope;
  envelope.request_id = id;
  envelope.routes = std::move(routes);
  std::string body = encode_body(test::text_request(id));
  return Message(envelope, zmq::message_t(body.data(), body.size()));
}

}  // namespace

TEST_CASE("a join releases one message once every sender's part is in", "[join]") {
  JoinTable joins("d", {"b", "c"}, std::chrono::seconds(30));
  CHECK_FALSE(joins.add(part("r1", "b", "from b")));
  CHECK(joins.waiting() == 1);
  auto joined = joins.add(part("r1", "c", "from c"));
  REQUIRE(joined);
  CHECK(joins.waiting() == 0);
  CHECK(joined->joined());
  CHECK(joined->envelope().routes.size() == 2);
  CHECK(joined->envelope().status.ok());
  auto parts = joined->parts();
  REQUIRE(parts.size() == 2);
  CHECK(parts[0].docs.at(0).text == "from b");
  CHECK(parts[1].docs.at(0).text == "from c");
  // Without a merge driver, reading the request concatenates the parts' documents.
  CHECK(joined->request().docs.size() == 2);
}

TEST_CASE("a join ignores duplicates and stragglers of finished requests", "[join]") {
  JoinTable joins("d", {"b", "c"}, std::chrono::seconds(30));
  CHECK_FALSE(joins.add(part("r1", "b", "x")));
  CHECK_FALSE(joins.add(part("r1", "b", "x again")));  // same sender twice: still waiting for c
  REQUIRE(joins.add(part("r1", "c", "y")));
  CHECK_FALSE(joins.add(part("r1", "b", "late copy")));  // r1 is done: not a new join
  CHECK(joins.waiting() == 0);
}

TEST_CASE("a join carries the first error of its parts as a partial result", "[join]") {
  JoinTable joins("tail", {"s/0", "s/1"}, std::chrono::seconds(30));
  joins.add(part("r1", "s/0", "ok"));
  auto joined =
      joins.add(part("r1", "s/1", "", {StatusCode::pea_lost, "replica 's/1' lost", "s", ""}));
  REQUIRE(joined);
  CHECK(joined->envelope().status.code == StatusCode::pea_lost);
  CHECK_THAT(joined->envelope().status.message, Contains("partial result") && Contains("s/1"));
}

TEST_CASE("a join that waits in vain expires naming the missing senders", "[join]") {
  JoinTable joins("d", {"b", "c", "e"}, std::chrono::milliseconds(1));
  joins.add(part("r1", "c", "only c"));
  REQUIRE(joins.next_expiry());
  auto expired = joins.expire(steady_now() + std::chrono::seconds(1));
  REQUIRE(expired.size() == 1);
  const Status& status = expired[0].envelope().status;
  CHECK(status.code == StatusCode::timeout);
  CHECK(status.pod == "d");
  CHECK_THAT(status.message, Contains("'b'") && Contains("'e'") && !Contains("'c'"));
  CHECK(joins.waiting() == 0);
}

TEST_CASE("a joined route names the shared hops once, then each part's own hops", "[join]") {
  // Two shards of pod s: both parts carry the same hops up to s/head (the same entries, timings
  // included), then their own shard.
  const std::vector<Route> shared = {{"a", "a", 10, 20}, {"s", "s/head", 30, 40}};
  std::vector<Route> first = shared;
  first.push_back({"s", "s/0", 50, 60});
  std::vector<Route> second = shared;
  second.push_back({"s", "s/1", 55, 90});
  JoinTable joins("s", {"s/0", "s/1"}, std::chrono::seconds(30));
  // The part of s/1 comes first; the route still lists the shards in the order of their names.
  CHECK_FALSE(joins.add(part_with_route("r1", second)));
  auto joined = joins.add(part_with_route("r1", first));
  REQUIRE(joined);
  CHECK(joined->envelope().routes == std::vector<Route>{{"a", "a", 10, 20},
                                                        {"s", "s/head", 30, 40},
                                                        {"s", "s/0", 50, 60},
                                                        {"s", "s/1", 55, 90}});
}
