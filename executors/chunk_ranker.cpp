// ChunkRanker: chunk matches -> parent scores (coverage/max/sum/mean), or a merge of shard results.
#include "executors/chunk_ranker.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace jflow::executors {
namespace {

std::string parent_of(const Document& match) {
  if (const auto tag = match.tags.find("parent_id"); tag != match.tags.end()) {
    if (const auto* parent = std::get_if<std::string>(&tag->second)) return *parent;
  }
  const auto slash = match.id.rfind('/');
  return slash == std::string::npos ? match.id : match.id.substr(0, slash);
}

bool better(const Document& a, const Document& b) {
  if (a.score != b.score) return a.score > b.score;
  return a.id < b.id;
}

void sort_and_truncate(std::vector<Document>& matches, std::size_t top_k) {
  std::sort(matches.begin(), matches.end(), better);
  if (matches.size() > top_k) matches.resize(top_k);
}

}  // namespace

ExecutorInfo ChunkRanker::info() {
  return {"ChunkRanker",
          "ranks documents by their chunks' matches (coverage, max, sum or mean), or merges shard "
          "results",
          {{"aggregate", "string", "coverage",
            "how a document's chunk-match scores combine: coverage (best score per query chunk, "
            "averaged over the query's chunks), max, sum or mean"}},
          "{search: [!RankDriver {}]}"};
}

ChunkRanker::ChunkRanker(ExecutorMetas metas, Aggregate aggregate)
    : Ranker(std::move(metas)), aggregate_(aggregate) {}

void ChunkRanker::rank(Document& query, std::size_t top_k) {
  if (query.chunks.empty()) {
    // Shard results concatenated: keep each id once, with its best-scoring entry.
    std::map<std::string, Document> best;
    for (Document& match : query.matches) {
      auto [entry, inserted] = best.try_emplace(match.id, match);
      if (!inserted && better(match, entry->second)) entry->second = std::move(match);
    }
    query.matches.clear();
    for (auto& entry : best) query.matches.push_back(std::move(entry.second));
    sort_and_truncate(query.matches, top_k);
    return;
  }

  struct Tally {
    double max = 0;
    double sum = 0;
    std::size_t count = 0;
    double covered = 0;  // sum over query chunks of this parent's best score for that chunk
  };
  std::map<std::string, Tally> parents;
  for (const Document& chunk : query.chunks) {
    std::map<std::string, double> best_for_chunk;
    for (const Document& match : chunk.matches) {
      const std::string parent = parent_of(match);
      Tally& tally = parents[parent];
      tally.max = tally.count == 0 ? match.score : std::max(tally.max, match.score);
      tally.sum += match.score;
      ++tally.count;
      auto [best, inserted] = best_for_chunk.try_emplace(parent, match.score);
      if (!inserted) best->second = std::max(best->second, match.score);
    }
    for (const auto& [parent, score] : best_for_chunk) parents[parent].covered += score;
  }
  std::vector<Document> ranked;
  ranked.reserve(parents.size());
  for (const auto& [parent, tally] : parents) {
    Document document;
    document.id = parent;
    switch (aggregate_) {
      case Aggregate::coverage:
        document.score = tally.covered / static_cast<double>(query.chunks.size());
        break;
      case Aggregate::max:
        document.score = tally.max;
        break;
      case Aggregate::sum:
        document.score = tally.sum;
        break;
      case Aggregate::mean:
        document.score = tally.sum / static_cast<double>(tally.count);
        break;
    }
    ranked.push_back(std::move(document));
  }
  sort_and_truncate(ranked, top_k);
  query.matches = std::move(ranked);
}

}  // namespace jflow::executors
