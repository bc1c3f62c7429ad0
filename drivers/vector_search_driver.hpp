// VectorSearchDriver: finds the nearest indexed vectors for each document at its level that has
// an embedding (one query() call per request for all of them) and sets the document's matches to
// the hits, best first: documents with only `id` and `score` set. Documents without an embedding
// are skipped. How many: the request parameter `top_k` when given (it must be a positive integer,
// else the request fails), else the option.
// At `level: chunks` the hits are chunks, whose ids are "<document id>/<n>": each match gets the
// tag `parent_id` (the id up to its last '/'), which a Ranker uses to score whole documents.
// On a `polling: all` pod each shard searches its own part; MergeMatchesDriver at the tail keeps
// the global top_k.
//   uses: {search: [!EncodeDriver {level: chunks}, !VectorSearchDriver {level: chunks, top_k: 5}]}
// Needs a VectorIndexer executor; the pea fails to start otherwise.
#pragma once

#include <cstddef>

#include "drivers/doc_level.hpp"
#include "jflow/driver.hpp"

namespace jflow {

class VectorIndexer;

class VectorSearchDriver final : public Driver {
 public:
  static DriverInfo info();
  VectorSearchDriver(DocLevel level, std::size_t top_k) : level_(level), top_k_(top_k) {}
  std::string_view kind() const override { return "VectorSearchDriver"; }
  void attach(Executor* executor) override;
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  DocLevel level_;
  std::size_t top_k_;
  VectorIndexer* indexer_ = nullptr;
};

}  // namespace jflow
