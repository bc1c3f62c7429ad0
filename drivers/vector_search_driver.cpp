#include "drivers/vector_search_driver.hpp"

#include "drivers/driver_support.hpp"
#include "jflow/message.hpp"

namespace jflow {

DriverInfo VectorSearchDriver::info() {
  return {"VectorSearchDriver",
          "sets the matches of each document at `level` to its top_k nearest indexed vectors",
          {{"level", "string", "root", "root, chunks or matches: the documents to search for"},
           {"top_k", "integer", "10", "matches per document (request parameter top_k wins)"}}};
}

void VectorSearchDriver::attach(Executor* executor) {
  indexer_ = &require_capability<VectorIndexer>(executor, kind(), "a VectorIndexer");
}

DriverResult VectorSearchDriver::handle(Message& message, const DriverContext&) {
  if (indexer_ == nullptr) throw_not_attached(kind());
  Request& request = message.request();
  // Read before any work, so a bad parameter fails the request without a half-done search.
  std::size_t top_k = top_k_from_parameters(request, top_k_, kind());
  std::vector<Document*> queries;
  for (Document* doc : docs_at(request, level_)) {
    if (!doc->embedding.empty()) queries.push_back(doc);
  }
  if (queries.empty()) return DriverResult::next();

  std::vector<const Document*> inputs(queries.begin(), queries.end());
  auto results = indexer_->query(stack_embeddings(inputs, kind()), top_k);
  if (results.size() != queries.size()) {
    throw std::runtime_error("VectorSearchDriver: the indexer answered " +
                             std::to_string(results.size()) + " queries out of " +
                             std::to_string(queries.size()));
  }
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::vector<Document> matches;
    matches.reserve(results[i].size());
    for (const ScoredId& hit : results[i]) {
      Document match;
      match.id = hit.id;
      match.score = hit.score;
      if (level_ == DocLevel::chunks) {
        if (auto slash = hit.id.rfind('/'); slash != std::string::npos) {
          match.tags["parent_id"] = hit.id.substr(0, slash);
        }
      }
      matches.push_back(std::move(match));
    }
    queries[i]->matches = std::move(matches);
  }
  return DriverResult::next();
}

}  // namespace jflow
