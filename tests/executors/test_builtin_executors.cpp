// The built-in executor registry: the five kinds with their options and default request chains,
// factories that apply and validate `with:` and never touch the disk.
#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>

#include "executors/chunk_ranker.hpp"
#include "executors/doc_store.hpp"
#include "executors/executor_test_support.hpp"
#include "executors/feature_hash_encoder.hpp"
#include "executors/sentence_splitter.hpp"
#include "executors/vector_indexer.hpp"
#include "jflow/spec_error.hpp"

using namespace jflow;

TEST_CASE("builtin_executors lists the five kinds with documented options", "[executors]") {
  const ExecutorRegistry& registry = builtin_executors();
  const std::vector<std::string> kinds = {"SentenceSplitter", "FeatureHashEncoder", "VectorIndexer",
                                          "DocStore", "ChunkRanker"};
  CHECK(registry.kinds() == kinds);
  for (const std::string& kind : kinds) {
    INFO(kind);
    const ExecutorInfo* info = registry.info(kind);
    REQUIRE(info);
    CHECK(info->kind == kind);
    CHECK_FALSE(info->summary.empty());
    for (const DriverOptionInfo& option : info->options) {
      CHECK_FALSE(option.type.empty());
      CHECK_FALSE(option.default_value.empty());
      CHECK_FALSE(option.help.empty());
    }
    // default_requests is `uses` YAML: request type -> list of tagged driver nodes.
    const YAML::Node requests = YAML::Load(info->default_requests);
    REQUIRE(requests.IsMap());
    for (const auto& entry : requests) {
      CHECK(
          (entry.first.as<std::string>() == "index" || entry.first.as<std::string>() == "search"));
      REQUIRE(entry.second.IsSequence());
      for (const auto& driver : entry.second) CHECK(driver.Tag().size() > 1);
    }
  }
  CHECK(registry.info("VectorIndexer")->default_requests ==
        "{index: [!VectorIndexDriver {level: chunks}], search: [!VectorSearchDriver {level: "
        "chunks}]}");
  CHECK(registry.info("ChunkRanker")->default_requests == "{search: [!RankDriver {}]}");
}

TEST_CASE("builtin executor factories apply their options", "[executors]") {
  const ExecutorRegistry& registry = builtin_executors();
  test::TempDir workspace;
  const ExecutorMetas metas = test::metas_in(workspace.path());

  auto encoder =
      registry.create("FeatureHashEncoder", YAML::Load("{dim: 32, ngrams: 2, seed: 9}"), metas);
  auto* hash = dynamic_cast<executors::FeatureHashEncoder*>(encoder.get());
  REQUIRE(hash);
  CHECK(hash->dim() == 32);

  auto indexer = registry.create("VectorIndexer", YAML::Load("{metric: l2}"), metas);
  auto* vectors = dynamic_cast<executors::VectorIndexer*>(indexer.get());
  REQUIRE(vectors);
  CHECK(vectors->metric() == executors::Metric::l2);
  CHECK(dynamic_cast<executors::VectorIndexer*>(
            registry.create("VectorIndexer", YAML::Node(), metas).get())
            ->metric() == executors::Metric::cosine);

  auto splitter =
      registry.create("SentenceSplitter", YAML::Load("{unit: word, min_length: 3}"), metas);
  REQUIRE(dynamic_cast<Crafter*>(splitter.get()));
  Document doc = test::text_doc("d", "to be or not to be, that is it");
  dynamic_cast<Crafter&>(*splitter).craft(doc);
  REQUIRE(doc.chunks.size() == 2);
  CHECK(doc.chunks[0].text == "not");

  CHECK(dynamic_cast<KeyValueIndexer*>(registry.create("DocStore", YAML::Node(), metas).get()));
  CHECK(dynamic_cast<Ranker*>(
      registry.create("ChunkRanker", YAML::Load("{aggregate: mean}"), metas).get()));

  // Creating executors (validation does the same) never touches the workspace.
  CHECK(std::filesystem::is_empty(workspace.path()));
}

TEST_CASE("builtin executor factories reject bad options", "[executors]") {
  const ExecutorRegistry& registry = builtin_executors();
  const auto error_of = [&](const std::string& kind, const std::string& with) -> std::string {
    try {
      registry.validate(kind, YAML::Load(with), "flow.yml");
    } catch (const SpecError& error) {
      return error.what();
    }
    return "no error";
  };
  const auto contains = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };
  CHECK(contains(error_of("VectorIndexer", "{metric: dot}"), "metric must be cosine or l2"));
  CHECK(contains(error_of("VectorIndexer", "{metrc: l2}"), "metric"));
  CHECK(contains(error_of("FeatureHashEncoder", "{dim: 0}"), "dim must be between"));
  CHECK(contains(error_of("FeatureHashEncoder", "{ngrams: 3}"), "ngrams must be 1"));
  CHECK(contains(error_of("SentenceSplitter", "{unit: paragraph}"), "unit must be"));
  CHECK(contains(error_of("SentenceSplitter", "{min_length: 0}"), "min_length must be"));
  CHECK(contains(error_of("ChunkRanker", "{aggregate: median}"), "aggregate must be"));
  CHECK(contains(error_of("DocStore", "{path: x}"), "path"));
  CHECK(error_of("ChunkRanker", "{aggregate: sum}") == "no error");
}
