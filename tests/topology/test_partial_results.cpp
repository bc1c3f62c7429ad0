// `partial_results: flag` on a polling-all pod: a lost shard no longer fails the request; the tail
// reduces what the other shards answered and the status says the result is partial, naming the
// lost shard. The default (`error`) is tested in test_topology.cpp.
#include <catch2/catch.hpp>

#include <csignal>

#include "jflow/codec.hpp"
#include "pea/join_table.hpp"
#include "topology/topology_support.hpp"

using namespace jflow;
using namespace jflow::test;
using Catch::Matchers::Contains;

namespace {

Message shard_part(const std::string& shard, Status status = {}) {
  Envelope envelope;
  envelope.request_id = "r1";
  envelope.status = std::move(status);
  envelope.routes.push_back({"s", shard, 1, 2});
  std::string body = encode_body(text_request("from " + shard));
  return Message(envelope, zmq::message_t(body.data(), body.size()));
}

const Status kLost{StatusCode::pea_lost, "replica 's/2' lost: killed by signal 9", "s", ""};

bool is_dead(const Flow& flow, const std::string& pea) {
  for (const PeaStatus& status : flow.status()) {
    if (status.pea == pea) return !status.alive;
  }
  return false;
}

}  // namespace

TEST_CASE("a flagging join releases the parts that answered, flagged and naming the lost one",
          "[topology][partial]") {
  JoinTable joins("s", {"s/0", "s/1", "s/2"}, std::chrono::seconds(30), true);
  CHECK_FALSE(joins.add(shard_part("s/0")));
  CHECK_FALSE(joins.add(shard_part("s/2", kLost)));
  auto joined = joins.add(shard_part("s/1"));
  REQUIRE(joined);
  const Status& status = joined->envelope().status;
  CHECK(status.ok());
  CHECK(status.pod == "s");
  CHECK_THAT(status.message, Contains("partial result") && Contains("2 of 3") &&
                                 Contains("'s/2'") && Contains("signal 9"));
  CHECK(joined->request().docs.size() == 2);
  CHECK(joined->envelope().routes.size() == 3);  // the lost shard's stand-in route is kept
}

TEST_CASE("a flagging join still fails on a shard's own error, or when every shard was lost",
          "[topology][partial]") {
  SECTION("a driver error is not a lost shard") {
    JoinTable joins("s", {"s/0", "s/1"}, std::chrono::seconds(30), true);
    CHECK_FALSE(joins.add(shard_part("s/0", {StatusCode::error, "boom", "s", "FailDriver"})));
    auto joined = joins.add(shard_part("s/1"));
    REQUIRE(joined);
    CHECK(joined->envelope().status.code == StatusCode::error);
    CHECK_THAT(joined->envelope().status.message, Contains("boom"));
  }
  SECTION("nothing answered") {
    JoinTable joins("s", {"s/1", "s/2"}, std::chrono::seconds(30), true);
    Status lost1 = kLost;
    lost1.message = "replica 's/1' lost: killed by signal 9";
    CHECK_FALSE(joins.add(shard_part("s/1", lost1)));
    auto joined = joins.add(shard_part("s/2", kLost));
    REQUIRE(joined);
    CHECK(joined->envelope().status.code == StatusCode::pea_lost);
    CHECK_THAT(joined->envelope().status.message, Contains("every shard was lost"));
  }
  SECTION("without the flag a lost shard fails the request") {
    JoinTable joins("s", {"s/0", "s/2"}, std::chrono::seconds(30));
    CHECK_FALSE(joins.add(shard_part("s/0")));
    auto joined = joins.add(shard_part("s/2", kLost));
    REQUIRE(joined);
    CHECK(joined->envelope().status.code == StatusCode::pea_lost);
  }
}

TEST_CASE("partial_results: flag returns the lost shard's siblings' merged answer, flagged",
          "[topology][partial][death]") {
  // uses_after _pass: the tail concatenates the shards' documents, one per shard that answered.
  FlowSpec spec = flow_from_yaml(
      "  - name: s\n    parallel: 3\n    polling: all\n    runtime: process\n"
      "    uses_after: _pass\n    partial_results: flag\n    restart: never\n"
      "  - name: after\n    uses: '- !TagDriver {key: seen_after, value: yes}'\n");
  REQUIRE(spec.pods[0].partial_results == PartialResults::flag);
  Flow flow(spec, test_options());
  flow.start();
  Response before = flow.call(doc_request("before"), std::chrono::seconds(5));
  REQUIRE(before.ok());
  CHECK(before.status().message.empty());
  CHECK(before.request.docs.size() == 3);
  int victim = 0;
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pea == "s/2") victim = pea.pid;
  }
  REQUIRE(victim > 0);
  ::kill(victim, SIGKILL);
  REQUIRE(test::poll_until(
      flow, [&] { return is_dead(flow, "s/2"); }, std::chrono::seconds(5)));
  for (int i = 0; i < 20; ++i) {
    Response after = flow.call(doc_request("after"), std::chrono::seconds(5));
    REQUIRE(after.ok());
    CHECK_THAT(after.status().message, Contains("partial result") && Contains("'s/2'"));
    CHECK(after.status().pod == "s");
    REQUIRE(after.request.docs.size() == 2);
    for (const Document& doc : after.request.docs) CHECK(doc.tags.count("seen_after") == 1);
  }
  flow.close();
}

TEST_CASE("FlowBuilder sets partial_results like the YAML key, with the same validation",
          "[topology][partial][builder]") {
  const FlowSpec built = FlowBuilder()
                             .add("s")
                             .parallel(3)
                             .polling(Polling::all)
                             .uses_after("_merge")
                             .partial_results(PartialResults::flag)
                             .build();
  CHECK(built.pods.at(0).partial_results == PartialResults::flag);
  CHECK_THROWS_WITH(
      FlowBuilder().add("s").parallel(3).partial_results(PartialResults::flag).build(),
      Contains("partial_results: flag needs polling: all"));
}
