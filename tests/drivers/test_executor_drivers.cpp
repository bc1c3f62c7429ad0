// The drivers that call an executor, each run on a Message built from a Request, against the
// small real executors of test_executors.hpp: levels, batching, shard filtering, top_k, filling
// matches from a store, and the attach() errors a pea reports when its executor does not fit.
#include <catch2/catch.hpp>

#include <set>

#include "drivers/craft_driver.hpp"
#include "drivers/doc_level.hpp"
#include "drivers/encode_driver.hpp"
#include "drivers/kv_index_driver.hpp"
#include "drivers/kv_search_driver.hpp"
#include "drivers/merge_matches_driver.hpp"
#include "drivers/rank_driver.hpp"
#include "drivers/test_executors.hpp"
#include "drivers/vector_index_driver.hpp"
#include "drivers/vector_search_driver.hpp"
#include "jflow/shard.hpp"
#include "jflow/spec_error.hpp"

using namespace jflow;
using namespace jflow::testing;

namespace {

const DriverContext lone{"pod", "pod", 0, 1};

std::vector<float> floats(const NdArray& array) {
  auto view = array.view<float>();
  return {view.begin(), view.end()};
}

Document embedded(std::string id, std::vector<float> values) {
  Document doc;
  doc.id = std::move(id);
  doc.embedding = NdArray::from_floats(values);
  return doc;
}

std::vector<std::string> ids_of(const std::vector<Document>& docs) {
  std::vector<std::string> ids;
  for (const Document& doc : docs) ids.push_back(doc.id);
  return ids;
}

}  // namespace

TEST_CASE("parse_doc_level reads the three levels and names them when it fails", "[drivers]") {
  CHECK(parse_doc_level("root") == DocLevel::root);
  CHECK(parse_doc_level("chunks") == DocLevel::chunks);
  CHECK(parse_doc_level("matches") == DocLevel::matches);
  CHECK_THROWS_WITH(parse_doc_level("chunk"),
                    "unknown level 'chunk': expected root, chunks or matches");
}

TEST_CASE("for_each_doc visits a level's documents in request order", "[drivers]") {
  Request request;
  request.docs = {text_doc("a", ""), text_doc("b", "")};
  request.docs[0].chunks = {text_doc("a/0", ""), text_doc("a/1", "")};
  request.docs[1].chunks = {text_doc("b/0", "")};
  request.docs[0].matches = {text_doc("m1", "")};
  request.docs[1].matches = {text_doc("m2", ""), text_doc("m3", "")};
  auto visited = [&](DocLevel level) {
    std::vector<std::string> ids;
    for_each_doc(request, level, [&ids](Document& doc) { ids.push_back(doc.id); });
    return ids;
  };
  CHECK(visited(DocLevel::root) == std::vector<std::string>{"a", "b"});
  CHECK(visited(DocLevel::chunks) == std::vector<std::string>{"a/0", "a/1", "b/0"});
  CHECK(visited(DocLevel::matches) == std::vector<std::string>{"m1", "m2", "m3"});
}

TEST_CASE("CraftDriver crafts the documents at its level", "[drivers]") {
  WordSplitter splitter;
  Request request;
  request.docs = {text_doc("d", "in the beginning")};

  SECTION("root: the documents get chunks") {
    CraftDriver driver(DocLevel::root);
    driver.attach(&splitter);
    Message message = message_of(request);
    driver.handle(message, lone);
    const Document& doc = message.request().docs.at(0);
    CHECK(ids_of(doc.chunks) == std::vector<std::string>{"d/0", "d/1", "d/2"});
    CHECK(doc.chunks.at(2).text == "beginning");
    CHECK(doc.chunks.at(0).chunks.empty());  // chunks added in this pass are not crafted again
  }
  SECTION("chunks: the chunks get chunks, the documents keep theirs") {
    request.docs[0].chunks = {text_doc("d/0", "let there"), text_doc("d/1", "be light")};
    CraftDriver driver(DocLevel::chunks);
    driver.attach(&splitter);
    Message message = message_of(request);
    driver.handle(message, lone);
    const Document& doc = message.request().docs.at(0);
    REQUIRE(doc.chunks.size() == 2);
    CHECK(ids_of(doc.chunks[0].chunks) == std::vector<std::string>{"d/0/0", "d/0/1"});
    CHECK(doc.chunks[1].chunks.at(1).text == "light");
  }
}

TEST_CASE("EncodeDriver embeds a request's documents in one encode call", "[drivers]") {
  LengthVowelEncoder encoder;
  Request request;
  request.docs = {text_doc("a", "light"), text_doc("b", ""), text_doc("c", "void and form")};

  SECTION("root: every document with text, one call, rows of shape [dim]") {
    EncodeDriver driver(DocLevel::root);
    driver.attach(&encoder);
    Message message = message_of(request);
    driver.handle(message, lone);
    CHECK(encoder.batch_sizes == std::vector<std::size_t>{2});
    const auto& docs = message.request().docs;
    CHECK(docs[0].embedding.shape == std::vector<std::uint64_t>{2});
    CHECK(floats(docs[0].embedding) == std::vector<float>{5, 1});
    CHECK(docs[1].embedding.empty());  // no text, no blob: not sent
    CHECK(floats(docs[2].embedding) == std::vector<float>{13, 4});
  }
  SECTION("chunks: the chunks of every document in one call, the documents untouched") {
    request.docs[0].chunks = {text_doc("a/0", "dark"), text_doc("a/1", "deep")};
    request.docs[2].chunks = {text_doc("c/0", "waters")};
    EncodeDriver driver(DocLevel::chunks);
    driver.attach(&encoder);
    Message message = message_of(request);
    driver.handle(message, lone);
    CHECK(encoder.batch_sizes == std::vector<std::size_t>{3});
    const auto& docs = message.request().docs;
    CHECK(docs[0].embedding.empty());
    CHECK(floats(docs[0].chunks[1].embedding) == std::vector<float>{4, 2});
    CHECK(floats(docs[2].chunks[0].embedding) == std::vector<float>{6, 2});
  }
  SECTION("a document with a blob and no text is encoded too") {
    request.docs[1].blob = NdArray::from_floats(std::vector<float>{1, 2});
    EncodeDriver driver(DocLevel::root);
    driver.attach(&encoder);
    Message message = message_of(request);
    driver.handle(message, lone);
    CHECK(encoder.batch_sizes == std::vector<std::size_t>{3});
    CHECK(floats(message.request().docs[1].embedding) == std::vector<float>{0, 0});
  }
  SECTION("nothing to encode: no call") {
    EncodeDriver driver(DocLevel::matches);
    driver.attach(&encoder);
    Message message = message_of(request);
    driver.handle(message, lone);
    CHECK(encoder.batch_sizes.empty());
  }
}

TEST_CASE("VectorIndexDriver splits documents across the shards of a polling-all pod",
          "[drivers]") {
  Request request;
  std::set<std::string> all;
  for (int i = 0; i < 30; ++i) {
    std::string id = "doc" + std::to_string(i);
    request.docs.push_back(embedded(id, {static_cast<float>(i), 1}));
    all.insert(id);
  }
  std::set<std::string> seen;
  std::size_t total = 0;
  for (std::size_t replica = 0; replica < 3; ++replica) {
    BruteForceIndexer shard;
    VectorIndexDriver driver(DocLevel::root);
    driver.attach(&shard);
    Message message = message_of(request);
    driver.handle(message, DriverContext{"index", "index/" + std::to_string(replica), replica, 3});
    CHECK(shard.size() > 0);
    for (const std::string& id : shard.ids()) {
      CHECK(shard_of(id, 3) == replica);
      CHECK(seen.insert(id).second);  // no document on two shards
    }
    total += shard.size();
  }
  CHECK(seen == all);
  CHECK(total == all.size());

  BruteForceIndexer lone_indexer;
  VectorIndexDriver driver(DocLevel::root);
  driver.attach(&lone_indexer);
  Message message = message_of(request);
  driver.handle(message, lone);
  CHECK(lone_indexer.size() == 30);
}

TEST_CASE("VectorIndexDriver indexes chunks and refuses a document without an embedding",
          "[drivers]") {
  BruteForceIndexer indexer;
  VectorIndexDriver driver(DocLevel::chunks);
  driver.attach(&indexer);
  Request request;
  request.docs = {text_doc("d", "no embedding needed at root")};
  request.docs[0].chunks = {embedded("d/0", {1, 2}), embedded("d/1", {3, 4})};
  Message message = message_of(request);
  driver.handle(message, lone);
  CHECK(indexer.ids() == std::vector<std::string>{"d/0", "d/1"});

  request.docs[0].chunks.push_back(text_doc("d/2", "not encoded"));
  Message missing = message_of(request);
  CHECK_THROWS_WITH(driver.handle(missing, lone),
                    Catch::Contains("'d/2'") && Catch::Contains("encode it first"));
}

TEST_CASE("VectorSearchDriver sets matches, with top_k from the request or the option",
          "[drivers]") {
  BruteForceIndexer indexer;
  std::vector<std::string> ids = {"p/0", "p/1", "q/0", "r/0"};
  indexer.add(ids, NdArray::from_floats(std::vector<float>{0, 0, 1, 0, 5, 0, 9, 0}, {4, 2}));
  Request request;
  request.docs = {embedded("query", {4, 0}), text_doc("plain", "no embedding")};

  SECTION("the option's top_k, best first, id and score only") {
    VectorSearchDriver driver(DocLevel::root, 2);
    driver.attach(&indexer);
    Message message = message_of(request);
    driver.handle(message, lone);
    const auto& matches = message.request().docs[0].matches;
    CHECK(ids_of(matches) == std::vector<std::string>{"q/0", "p/1"});
    CHECK(matches[0].score == Approx(-1));
    CHECK(matches[1].score == Approx(-3));
    CHECK(matches[0].tags.empty());  // parent_id only at level chunks
    CHECK(message.request().docs[1].matches.empty());
  }
  SECTION("the request's top_k wins") {
    request.parameters["top_k"] = std::int64_t{3};
    VectorSearchDriver driver(DocLevel::root, 1);
    driver.attach(&indexer);
    Message message = message_of(request);
    driver.handle(message, lone);
    CHECK(ids_of(message.request().docs[0].matches) ==
          std::vector<std::string>{"q/0", "p/1", "p/0"});
  }
  SECTION("an integral float top_k counts as an integer") {
    request.parameters["top_k"] = 1.0;
    VectorSearchDriver driver(DocLevel::root, 10);
    driver.attach(&indexer);
    Message message = message_of(request);
    driver.handle(message, lone);
    CHECK(message.request().docs[0].matches.size() == 1);
  }
  SECTION("a top_k that is not a positive integer fails the request") {
    VectorSearchDriver driver(DocLevel::root, 10);
    driver.attach(&indexer);
    request.parameters["top_k"] = std::int64_t{0};
    Message zero = message_of(request);
    CHECK_THROWS_WITH(
        driver.handle(zero, lone),
        "VectorSearchDriver: request parameter top_k must be a positive integer, got 0");
    request.parameters["top_k"] = std::string("five");
    Message text = message_of(request);
    CHECK_THROWS_WITH(driver.handle(text, lone), Catch::Contains("got \"five\""));
    request.parameters["top_k"] = 2.5;
    Message fraction = message_of(request);
    CHECK_THROWS_WITH(driver.handle(fraction, lone), Catch::Contains("positive integer"));
  }
  SECTION("chunks: each chunk's matches carry their parent's id") {
    Request chunked;
    chunked.docs = {text_doc("query", "")};
    chunked.docs[0].chunks = {embedded("query/0", {0.4f, 0})};
    indexer.add(std::vector<std::string>{"orphan"},
                NdArray::from_floats(std::vector<float>{0.45f, 0}, {1, 2}));
    VectorSearchDriver driver(DocLevel::chunks, 3);
    driver.attach(&indexer);
    Message message = message_of(chunked);
    driver.handle(message, lone);
    const auto& matches = message.request().docs[0].chunks[0].matches;
    REQUIRE(ids_of(matches) == std::vector<std::string>{"orphan", "p/0", "p/1"});
    CHECK(matches[0].tags.count("parent_id") == 0);  // no '/' in its id
    CHECK(std::get<std::string>(matches[1].tags.at("parent_id")) == "p");
    CHECK(message.request().docs[0].matches.empty());
  }
}

TEST_CASE("KVIndexDriver stores documents, sharded like the vector index", "[drivers]") {
  Request request;
  for (int i = 0; i < 12; ++i) request.docs.push_back(text_doc("k" + std::to_string(i), "text"));
  std::size_t total = 0;
  for (std::size_t replica = 0; replica < 3; ++replica) {
    MapStore store;
    KVIndexDriver driver(DocLevel::root);
    driver.attach(&store);
    Message message = message_of(request);
    driver.handle(message, DriverContext{"kv", "kv/" + std::to_string(replica), replica, 3});
    for (const Document& doc : request.docs) {
      CHECK(store.get(doc.id).has_value() == (shard_of(doc.id, 3) == replica));
    }
    total += store.size();
  }
  CHECK(total == request.docs.size());
}

TEST_CASE("KVSearchDriver fills matches from the store and keeps their id and score", "[drivers]") {
  MapStore store;
  KVIndexDriver index(DocLevel::root);
  index.attach(&store);
  Request stored;
  stored.docs = {text_doc("gen", "In the beginning"), text_doc("exo", "Now these are the names")};
  stored.docs[0].tags["book"] = std::string("Genesis");
  stored.docs[0].chunks = {text_doc("gen/0", "In")};
  stored.docs[0].score = 0.25;
  Message indexing = message_of(stored);
  index.handle(indexing, lone);

  Request search;
  search.docs = {text_doc("query", "beginning")};
  Document hit;
  hit.id = "gen";
  hit.score = 0.9;
  hit.chunks = {text_doc("gen/7", "left over from ranking")};
  Document elsewhere;
  elsewhere.id = "lev";  // held by another shard
  elsewhere.score = 0.5;
  search.docs[0].matches = {hit, elsewhere};

  KVSearchDriver driver(DocLevel::matches);
  driver.attach(&store);
  Message message = message_of(search);
  driver.handle(message, lone);
  const auto& matches = message.request().docs[0].matches;
  REQUIRE(matches.size() == 2);
  CHECK(matches[0].id == "gen");
  CHECK(matches[0].score == 0.9);
  CHECK(matches[0].text == "In the beginning");
  CHECK(std::get<std::string>(matches[0].tags.at("book")) == "Genesis");
  CHECK(matches[0].chunks.empty());
  CHECK(matches[1] == elsewhere);
  CHECK(message.request().docs[0].text == "beginning");  // the query itself is not a match
}

TEST_CASE("RankDriver ranks each document's matches with top_k from the request or the option",
          "[drivers]") {
  BestChunkRanker ranker;
  Request request;
  request.docs = {text_doc("query", "")};
  auto chunk_match = [](std::string parent, std::string id, double score) {
    Document match;
    match.id = parent + "/" + id;
    match.score = score;
    match.tags["parent_id"] = parent;
    return match;
  };
  request.docs[0].chunks = {text_doc("query/0", ""), text_doc("query/1", "")};
  request.docs[0].chunks[0].matches = {chunk_match("a", "0", 0.3), chunk_match("b", "0", 0.8)};
  request.docs[0].chunks[1].matches = {chunk_match("a", "1", 0.9), chunk_match("c", "0", 0.1)};

  RankDriver driver(2);
  driver.attach(&ranker);
  Message message = message_of(request);
  driver.handle(message, lone);
  CHECK(ids_of(message.request().docs[0].matches) == std::vector<std::string>{"a", "b"});

  request.parameters["top_k"] = std::int64_t{3};
  Message wider = message_of(request);
  driver.handle(wider, lone);
  CHECK(ids_of(wider.request().docs[0].matches) == std::vector<std::string>{"a", "b", "c"});

  request.parameters["top_k"] = std::int64_t{-1};
  Message bad = message_of(request);
  CHECK_THROWS_WITH(driver.handle(bad, lone),
                    "RankDriver: request parameter top_k must be a positive integer, got -1");
}

TEST_CASE("attach() names the capability a driver needs and what the pod has", "[drivers]") {
  LengthVowelEncoder encoder;
  MapStore store;
  CHECK_THROWS_WITH(EncodeDriver(DocLevel::root).attach(nullptr),
                    "EncodeDriver needs an Encoder executor, but the pod has none");
  CHECK_THROWS_WITH(EncodeDriver(DocLevel::root).attach(&store),
                    "EncodeDriver needs an Encoder executor, but MapStore is not an Encoder");
  CHECK_THROWS_WITH(
      CraftDriver(DocLevel::root).attach(&encoder),
      "CraftDriver needs a Crafter executor, but LengthVowelEncoder is not a Crafter");
  CHECK_THROWS_WITH(VectorIndexDriver(DocLevel::root).attach(&store),
                    "VectorIndexDriver needs a VectorIndexer executor, but MapStore is not a "
                    "VectorIndexer");
  CHECK_THROWS_WITH(VectorSearchDriver(DocLevel::root, 10).attach(nullptr),
                    "VectorSearchDriver needs a VectorIndexer executor, but the pod has none");
  CHECK_THROWS_WITH(KVIndexDriver(DocLevel::root).attach(&encoder),
                    "KVIndexDriver needs a KeyValueIndexer executor, but LengthVowelEncoder is "
                    "not a KeyValueIndexer");
  CHECK_THROWS_WITH(KVSearchDriver(DocLevel::matches).attach(nullptr),
                    "KVSearchDriver needs a KeyValueIndexer executor, but the pod has none");
  CHECK_THROWS_WITH(RankDriver(10).attach(&store),
                    "RankDriver needs a Ranker executor, but MapStore is not a Ranker");
  CHECK_NOTHROW(KVSearchDriver(DocLevel::matches).attach(&store));
}

TEST_CASE("the registry validates the executor drivers' options", "[drivers]") {
  const DriverRegistry& registry = builtin_drivers();
  for (const char* kind : {"CraftDriver", "EncodeDriver", "VectorIndexDriver", "VectorSearchDriver",
                           "KVIndexDriver", "KVSearchDriver", "RankDriver"}) {
    CHECK(registry.contains(kind));
    CHECK(registry.info(kind)->summary.size() > 0);
  }
  CHECK(registry.create("EncodeDriver", YAML::Load("{level: chunks}"))->kind() == "EncodeDriver");
  CHECK_THROWS_WITH(registry.create("EncodeDriver", YAML::Load("{level: chunk}")),
                    Catch::Contains("expected root, chunks or matches"));
  CHECK_THROWS_AS(registry.create("VectorSearchDriver", YAML::Load("{top_k: 0}")), SpecError);
  CHECK_THROWS_WITH(registry.create("MergeMatchesDriver", YAML::Load("{level: matches}")),
                    Catch::Contains("root or chunks"));
  CHECK_THROWS_AS(registry.create("RankDriver", YAML::Load("{level: root}")), SpecError);
}

TEST_CASE("MergeMatchesDriver level chunks merges each chunk's matches across shards",
          "[drivers][merge]") {
  // Three shards each searched chunk q/0 and q/1 of the same query and found their own hits.
  auto shard_answer = [](std::vector<double> scores0, std::vector<double> scores1, int shard) {
    Request part;
    part.docs = {text_doc("q", "query")};
    part.docs[0].chunks = {text_doc("q/0", "first"), text_doc("q/1", "second")};
    for (double score : scores0) {
      part.docs[0].chunks[0].matches.push_back(
          text_doc("s" + std::to_string(shard) + "-" + std::to_string(score), ""));
      part.docs[0].chunks[0].matches.back().score = score;
    }
    for (double score : scores1) {
      part.docs[0].chunks[1].matches.push_back(text_doc("t" + std::to_string(shard), ""));
      part.docs[0].chunks[1].matches.back().score = score;
    }
    return part;
  };
  Message message =
      joined_message({shard_answer({0.2, 0.7}, {0.5}, 0), shard_answer({0.9}, {0.1}, 1),
                      shard_answer({0.6, 0.4}, {0.3}, 2)});
  MergeMatchesDriver driver(3, DocLevel::chunks);
  driver.handle(message, DriverContext{"index", "index/tail"});
  const auto& docs = message.request().docs;
  REQUIRE(docs.size() == 1);
  REQUIRE(ids_of(docs[0].chunks) == std::vector<std::string>{"q/0", "q/1"});
  std::vector<double> scores0, scores1;
  for (const Document& match : docs[0].chunks[0].matches) scores0.push_back(match.score);
  for (const Document& match : docs[0].chunks[1].matches) scores1.push_back(match.score);
  CHECK(scores0 == std::vector<double>{0.9, 0.7, 0.6});
  CHECK(scores1 == std::vector<double>{0.5, 0.3, 0.1});
  CHECK(ids_of(docs[0].chunks[1].matches) == std::vector<std::string>{"t0", "t2", "t1"});
}
