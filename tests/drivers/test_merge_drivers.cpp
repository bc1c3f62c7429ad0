// The merge drivers reduce joined parts: same-id documents become one; MergeMatchesDriver keeps
// the best top_k matches of the union (a request's top_k parameter wins).
#include <catch2/catch.hpp>

#include "drivers/merge_driver.hpp"
#include "drivers/merge_matches_driver.hpp"
#include "jflow/codec.hpp"
#include "jflow/message.hpp"

using namespace jflow;

namespace {

Document doc_with_matches(const std::string& id, std::vector<double> scores,
                          const std::string& tag) {
  Document doc;
  doc.id = id;
  doc.tags[tag] = std::string("yes");
  for (double score : scores) {
    Document match;
    match.id = id + "-" + std::to_string(score);
    match.score = score;
    doc.matches.push_back(match);
  }
  return doc;
}

Message joined(std::vector<Request> parts) {
  std::vector<zmq::message_t> bodies;
  for (const Request& part : parts) {
    std::string bytes = encode_body(part);
    bodies.emplace_back(bytes.data(), bytes.size());
  }
  return Message(Envelope{}, std::move(bodies));
}

}  // namespace

TEST_CASE("merge_parts_by_id unites same-id documents and keeps the rest in order",
          "[drivers][merge]") {
  Request a, b;
  a.docs = {doc_with_matches("x", {0.1}, "from_a"), doc_with_matches("y", {}, "from_a")};
  b.docs = {doc_with_matches("x", {0.9}, "from_b"), doc_with_matches("z", {}, "from_b")};
  a.parameters["top_k"] = std::int64_t{3};
  Request merged = merge_parts_by_id({a, b});
  REQUIRE(merged.docs.size() == 3);
  CHECK(merged.docs[0].id == "x");
  CHECK(merged.docs[0].matches.size() == 2);
  CHECK(merged.docs[0].tags.count("from_a") == 1);
  CHECK(merged.docs[0].tags.count("from_b") == 1);
  CHECK(merged.docs[1].id == "y");
  CHECK(merged.docs[2].id == "z");
  CHECK(merged.parameters.count("top_k") == 1);
}

TEST_CASE("documents without an id merge by their place among the id-less ones",
          "[drivers][merge]") {
  // Two shards answer the same request of two typed queries (no ids) and one named document.
  Request shard0, shard1;
  shard0.docs = {doc_with_matches("", {0.3}, "s0"), doc_with_matches("named", {0.1}, "s0"),
                 doc_with_matches("", {0.5}, "s0")};
  shard1.docs = {doc_with_matches("", {0.4}, "s1"), doc_with_matches("named", {0.2}, "s1"),
                 doc_with_matches("", {0.6}, "s1")};
  shard0.docs[0].text = shard1.docs[0].text = "first query";
  shard0.docs[2].text = shard1.docs[2].text = "second query";
  Request merged = merge_parts_by_id({shard0, shard1});
  REQUIRE(merged.docs.size() == 3);
  CHECK(merged.docs[0].text == "first query");
  CHECK(merged.docs[0].matches.size() == 2);
  CHECK(merged.docs[0].matches[1].score == 0.4);
  CHECK(merged.docs[1].id == "named");
  CHECK(merged.docs[1].matches.size() == 2);
  CHECK(merged.docs[2].text == "second query");
  CHECK(merged.docs[2].matches.size() == 2);
  CHECK(merged.docs[2].matches[1].score == 0.6);
}

TEST_CASE("MergeMatchesDriver keeps the global top_k by score", "[drivers][merge]") {
  Request shard0, shard1;
  shard0.docs = {doc_with_matches("q", {0.2, 0.8, 0.5}, "s0")};
  shard1.docs = {doc_with_matches("q", {0.9, 0.1, 0.7}, "s1")};
  Message message = joined({shard0, shard1});
  MergeMatchesDriver driver(3);
  driver.handle(message, DriverContext{"p", "p/tail"});
  const auto& matches = message.request().docs.at(0).matches;
  REQUIRE(matches.size() == 3);
  CHECK(matches[0].score == Approx(0.9));
  CHECK(matches[1].score == Approx(0.8));
  CHECK(matches[2].score == Approx(0.7));
}

TEST_CASE("a request's top_k parameter overrides MergeMatchesDriver's option", "[drivers][merge]") {
  Request shard0, shard1;
  shard0.docs = {doc_with_matches("q", {0.2, 0.8}, "s0")};
  shard0.parameters["top_k"] = std::int64_t{1};
  shard1.docs = {doc_with_matches("q", {0.9}, "s1")};
  Message message = joined({shard0, shard1});
  MergeMatchesDriver driver(10);
  driver.handle(message, DriverContext{"p", "p/tail"});
  REQUIRE(message.request().docs.at(0).matches.size() == 1);
  CHECK(message.request().docs.at(0).matches[0].score == Approx(0.9));
}
