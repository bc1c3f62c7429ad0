// ChunkRanker: chunk matches aggregate to their parents (parent_id tag, else the id up to its
// last '/'), coverage/max/sum/mean, best first with ties by id, top_k; without chunks it merges
// shard results, keeping each id once with its best score.
#include <catch2/catch.hpp>

#include "executors/chunk_ranker.hpp"
#include "executors/executor_test_support.hpp"

using namespace jflow;
using namespace jflow::executors;

namespace {

// Two query chunks matching chunks of documents A, B and "C/x" (an id with a slash, named by
// its parent_id tag), and a match "D" without a slash. Scores are binary fractions, so sums and
// means are exact and ties are real ties.
Document chunked_query() {
  Document query = test::text_doc("q", "two sentences");
  Document first = test::text_doc("q/0", "one");
  first.matches = {test::scored("A/0", 0.75), test::scored("B/3", 0.5), test::scored("A/1", 0.25)};
  Document second = test::text_doc("q/1", "two");
  Document tagged = test::scored("C/x/7", 0.5625);
  tagged.tags["parent_id"] = std::string("C/x");
  second.matches = {test::scored("B/0", 0.625), tagged, test::scored("D", 0.125)};
  query.chunks = {first, second};
  query.matches = {test::scored("stale", 5.0)};  // replaced, not kept
  return query;
}

std::vector<std::pair<std::string, double>> ranked(const Document& query) {
  std::vector<std::pair<std::string, double>> result;
  for (const Document& match : query.matches) result.emplace_back(match.id, match.score);
  return result;
}

}  // namespace

TEST_CASE("ChunkRanker aggregates chunk matches per parent", "[executors]") {
  using Ranked = std::vector<std::pair<std::string, double>>;
  SECTION("coverage: each query chunk's best score per parent, averaged over the chunks") {
    ChunkRanker ranker(ExecutorMetas{}, Aggregate::coverage);
    Document query = chunked_query();
    ranker.rank(query, 10);
    // A's two matches of chunk 0 count once (its best, 0.75); B matched both chunks.
    CHECK(ranked(query) == Ranked{{"B", 0.5625}, {"A", 0.375}, {"C/x", 0.28125}, {"D", 0.0625}});
  }
  SECTION("max") {
    ChunkRanker ranker(ExecutorMetas{}, Aggregate::max);
    Document query = chunked_query();
    ranker.rank(query, 10);
    CHECK(ranked(query) == Ranked{{"A", 0.75}, {"B", 0.625}, {"C/x", 0.5625}, {"D", 0.125}});
    CHECK(query.matches[0].tags.empty());
  }
  SECTION("sum") {
    ChunkRanker ranker(ExecutorMetas{}, Aggregate::sum);
    Document query = chunked_query();
    ranker.rank(query, 10);
    CHECK(ranked(query) == Ranked{{"B", 1.125}, {"A", 1.0}, {"C/x", 0.5625}, {"D", 0.125}});
  }
  SECTION("mean, ties by id, truncated to top_k") {
    ChunkRanker ranker(ExecutorMetas{}, Aggregate::mean);
    Document query = chunked_query();
    ranker.rank(query, 2);
    CHECK(ranked(query) == Ranked{{"B", 0.5625}, {"C/x", 0.5625}});
  }
  SECTION("top_k 0") {
    ChunkRanker ranker(ExecutorMetas{}, Aggregate::max);
    Document query = chunked_query();
    ranker.rank(query, 0);
    CHECK(query.matches.empty());
  }
}

TEST_CASE("ChunkRanker breaks equal aggregate scores by id", "[executors]") {
  ChunkRanker ranker(ExecutorMetas{}, Aggregate::max);
  Document query = test::text_doc("q", "");
  Document chunk = test::text_doc("q/0", "");
  chunk.matches = {test::scored("z/0", 0.5), test::scored("m/0", 0.5), test::scored("a/4", 0.5)};
  query.chunks = {chunk};
  ranker.rank(query, 10);
  const std::vector<std::pair<std::string, double>> expected = {{"a", 0.5}, {"m", 0.5}, {"z", 0.5}};
  CHECK(ranked(query) == expected);
}

TEST_CASE("ChunkRanker without chunks merges shard results", "[executors]") {
  ChunkRanker ranker(ExecutorMetas{}, Aggregate::sum);
  Document query = test::text_doc("q", "");
  // Two shards' lists concatenated; "b" came back from both with different scores.
  Document from_shard_1 = test::scored("b", 0.4);
  from_shard_1.text = "worse copy";
  Document from_shard_2 = test::scored("b", 0.8);
  from_shard_2.text = "best copy";
  query.matches = {test::scored("a", 0.5), from_shard_1, test::scored("c", 0.1),
                   test::scored("d", 0.5), from_shard_2, test::scored("e", 0.05)};
  ranker.rank(query, 4);
  const std::vector<std::pair<std::string, double>> expected = {
      {"b", 0.8}, {"a", 0.5}, {"d", 0.5}, {"c", 0.1}};
  CHECK(ranked(query) == expected);
  // The kept entry is the whole best-scoring document, not a copy of its id and score.
  CHECK(query.matches[0].text == "best copy");
}
