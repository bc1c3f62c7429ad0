// JoinTable: parts are gathered per request and sender; duplicates are ignored; a request whose
// parts do not all come is released as an error naming the missing senders.
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
