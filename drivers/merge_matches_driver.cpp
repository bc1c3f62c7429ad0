#include "drivers/merge_matches_driver.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "drivers/merge_driver.hpp"
#include "jflow/message.hpp"

namespace jflow {
namespace {

void keep_top_k(std::vector<Document>& matches, std::int64_t top_k) {
  // Equal scores are ordered by id, as the indexers order them: the merged top-k is then the
  // same however the data is split over shards, not dependent on which shard answered first.
  std::stable_sort(matches.begin(), matches.end(), [](const Document& a, const Document& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  });
  if (static_cast<std::int64_t>(matches.size()) > top_k) matches.resize(top_k);
}

// Chunks with the same id become the first of them, with the others' matches appended and tags
// it lacks added; chunks without an id are kept as they are. Order of first appearance is kept.
void merge_chunks_by_id(Document& doc) {
  std::vector<Document> merged;
  std::unordered_map<std::string, std::size_t> position;  // id -> index in merged
  for (Document& chunk : doc.chunks) {
    auto found = chunk.id.empty() ? position.end() : position.find(chunk.id);
    if (found == position.end()) {
      if (!chunk.id.empty()) position.emplace(chunk.id, merged.size());
      merged.push_back(std::move(chunk));
      continue;
    }
    Document& into = merged[found->second];
    for (Document& match : chunk.matches) into.matches.push_back(std::move(match));
    for (auto& [key, value] : chunk.tags) into.tags.emplace(key, std::move(value));
  }
  doc.chunks = std::move(merged);
}

}  // namespace

DriverInfo MergeMatchesDriver::info() {
  return {"MergeMatchesDriver",
          "merges a joined request's parts and keeps the top_k matches by score of each document "
          "(level: root) or of each chunk (level: chunks)",
          {{"top_k", "integer", "10", "matches kept per document (request parameter top_k wins)"},
           {"level", "string", "root",
            "root or chunks: whose matches to merge — the documents' or their chunks'"}}};
}

DriverResult MergeMatchesDriver::handle(Message& message, const DriverContext&) {
  if (message.joined()) message.set_request(merge_parts_by_id(message.parts()));
  Request& request = message.request();
  std::int64_t top_k = top_k_;
  if (auto it = request.parameters.find("top_k"); it != request.parameters.end()) {
    if (const auto* value = std::get_if<std::int64_t>(&it->second); value && *value >= 0) {
      top_k = *value;
    }
  }
  for (Document& doc : request.docs) {
    if (level_ == DocLevel::chunks) {
      merge_chunks_by_id(doc);
      for (Document& chunk : doc.chunks) keep_top_k(chunk.matches, top_k);
    } else {
      keep_top_k(doc.matches, top_k);
    }
  }
  return DriverResult::next();
}

}  // namespace jflow
