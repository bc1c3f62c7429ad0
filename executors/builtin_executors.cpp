// The registry of built-in executors: each kind with its `with:` options, read and validated here.
// Factories only read options: they are also called to validate YAML (with a scratch workspace),
// so they never touch the disk; an executor loads its state in open().
#include <string>

#include "executors/chunk_ranker.hpp"
#include "executors/doc_store.hpp"
#include "executors/feature_hash_encoder.hpp"
#include "executors/sentence_splitter.hpp"
#include "executors/vector_indexer.hpp"
#include "jflow/executor.hpp"

namespace jflow {
namespace {

using namespace jflow::executors;

// The largest FeatureHashEncoder dim: a row per chunk of 65536 floats (256 KiB) is already far
// past what feature hashing needs, and a typo like 2560000 should fail early.
constexpr std::int64_t kMaxHashDim = 65536;

ExecutorRegistry make_builtin_executors() {
  ExecutorRegistry registry;
  registry.add(SentenceSplitter::info(), [](DriverOptions& with, const ExecutorMetas& metas) {
    const std::string unit = with.get_string("unit", "sentence");
    if (unit != "sentence" && unit != "word") {
      with.fail("unit", "unit must be sentence or word, got '" + unit + "'");
    }
    const std::int64_t min_length = with.get_integer("min_length", 1);
    if (min_length < 1) {
      with.fail("min_length", "min_length must be at least 1, got " + std::to_string(min_length));
    }
    with.finish();
    return std::make_unique<SentenceSplitter>(
        metas, unit == "word" ? SplitUnit::word : SplitUnit::sentence,
        static_cast<std::size_t>(min_length));
  });
  registry.add(FeatureHashEncoder::info(), [](DriverOptions& with, const ExecutorMetas& metas) {
    const std::int64_t dim = with.get_integer("dim", 256);
    if (dim < 1 || dim > kMaxHashDim) {
      with.fail("dim", "dim must be between 1 and " + std::to_string(kMaxHashDim) + ", got " +
                           std::to_string(dim));
    }
    const std::int64_t ngrams = with.get_integer("ngrams", 1);
    if (ngrams != 1 && ngrams != 2) {
      with.fail("ngrams",
                "ngrams must be 1 (words) or 2 (words and bigrams), got " + std::to_string(ngrams));
    }
    const std::int64_t seed = with.get_integer("seed", 0);
    with.finish();
    return std::make_unique<FeatureHashEncoder>(metas, static_cast<std::size_t>(dim),
                                                static_cast<int>(ngrams),
                                                static_cast<std::uint64_t>(seed));
  });
  registry.add(executors::VectorIndexer::info(),
               [](DriverOptions& with, const ExecutorMetas& metas) {
                 const std::string name = with.get_string("metric", "cosine");
                 const auto metric = parse_metric(name);
                 if (!metric)
                   with.fail("metric", "metric must be cosine or l2, got '" + name + "'");
                 with.finish();
                 return std::make_unique<executors::VectorIndexer>(metas, *metric);
               });
  registry.add(DocStore::info(), [](DriverOptions& with, const ExecutorMetas& metas) {
    with.finish();
    return std::make_unique<DocStore>(metas);
  });
  registry.add(ChunkRanker::info(), [](DriverOptions& with, const ExecutorMetas& metas) {
    const std::string name = with.get_string("aggregate", "coverage");
    Aggregate aggregate = Aggregate::coverage;
    if (name == "max") {
      aggregate = Aggregate::max;
    } else if (name == "sum") {
      aggregate = Aggregate::sum;
    } else if (name == "mean") {
      aggregate = Aggregate::mean;
    } else if (name != "coverage") {
      with.fail("aggregate", "aggregate must be coverage, max, sum or mean, got '" + name + "'");
    }
    with.finish();
    return std::make_unique<ChunkRanker>(metas, aggregate);
  });
  return registry;
}

}  // namespace

const ExecutorRegistry& builtin_executors() {
  static const ExecutorRegistry registry = make_builtin_executors();
  return registry;
}

}  // namespace jflow
