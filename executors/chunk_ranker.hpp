// ChunkRanker (YAML `uses: ChunkRanker`): a Ranker that turns chunk matches into document
// matches, so a search for a sentence returns the documents whose sentences matched it.
//
// with: {aggregate: coverage|max|sum|mean}  (default coverage)
// rank(query, top_k):
//   * query has chunks: every match of every chunk names a stored chunk; its parent is the
//     match's tags["parent_id"] (a string) if present, else its id up to the last '/' (the
//     "<parent id>/<n>" convention of SentenceSplitter; an id without '/' is its own parent).
//     Scores are aggregated per parent, and query.matches becomes the parents as documents
//     {id, score}. coverage: for each query chunk the parent's best match score, averaged over
//     all the query's chunks — a document that matches every sentence of the query scores 1 and
//     beats one that shares a single common sentence ("Selah."), which max would tie with it.
//     max, sum, mean: over all the parent's matches.
//   * query has no chunks: query.matches (e.g. the concatenated results of several shards) are
//     merged: one entry per id, keeping the one with the best score.
//   Either way matches end best first, equal scores ordered by id, at most top_k of them.
#pragma once

#include <cstddef>

#include "jflow/executor.hpp"

namespace jflow::executors {

enum class Aggregate { coverage, max, sum, mean };

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
