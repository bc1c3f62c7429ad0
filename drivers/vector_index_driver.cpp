#include "drivers/vector_index_driver.hpp"

#include "drivers/driver_support.hpp"
#include "jflow/message.hpp"

namespace jflow {

DriverInfo VectorIndexDriver::info() {
  return {"VectorIndexDriver",
          "adds the embeddings of the documents at `level` to the pod's VectorIndexer (each "
          "shard of a polling-all pod keeps its own part)",
          {{"level", "string", "root", "root, chunks or matches: the documents to index"}}};
}

void VectorIndexDriver::attach(Executor* executor) {
  indexer_ = &require_capability<VectorIndexer>(executor, kind(), "a VectorIndexer");
}

DriverResult VectorIndexDriver::handle(Message& message, const DriverContext& context) {
  if (indexer_ == nullptr) throw_not_attached(kind());
  std::vector<const Document*> docs;
  std::vector<std::string> ids;
  for (const Document* doc : docs_at(message.request(), level_)) {
    if (!owns_document(context, doc->id)) continue;
    docs.push_back(doc);
    ids.push_back(doc->id);
  }
  if (docs.empty()) return DriverResult::next();
  indexer_->add(ids, stack_embeddings(docs, kind()));
  return DriverResult::next();
}

}  // namespace jflow
