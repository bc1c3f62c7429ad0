// ChunkRanker (YAML `uses: ChunkRanker`): a Ranker that turns chunk matches into document
// matches, so a search for a sentence returns the documents whose sentences matched it.
//
// with: {aggregate: max|sum|mean}
// rank(query, top_k):
//   * query has chunks: every match of every chunk names a stored chunk; its parent is the
//     match's tags["parent_id"] (a string) if present, else its id up to the last '/' (the
//     "<parent id>/<n>" convention of SentenceSplitter; an id without '/' is its own parent).
//     Scores are aggregated per parent (max, sum, or mean over all those matches), and
//     query.matches becomes the parents as documents {id, score}.
//   * query has no chunks: query.matches (e.g. the concatenated results of several shards) are
//     merged: one entry per id, keeping the one with the best score.
//   Either way matches end best first, equal scores ordered by id, at most top_k of them.
#pragma once

#include <cstddef>

#include "jflow/executor.hpp"

namespace jflow::executors {

enum class Aggregate { max, sum, mean };

class ChunkRanker final : public Ranker {
 public:
  static ExecutorInfo info();
  ChunkRanker(ExecutorMetas metas, Aggregate aggregate);

  std::string_view kind() const override { return "ChunkRanker"; }
  void rank(Document& query, std::size_t top_k) override;

 private:
  Aggregate aggregate_;
};

}  // namespace jflow::executors
