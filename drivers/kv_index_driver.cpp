#include "drivers/kv_index_driver.hpp"

#include "drivers/driver_support.hpp"
#include "jflow/message.hpp"

namespace jflow {

DriverInfo KVIndexDriver::info() {
  return {"KVIndexDriver",
          "stores the documents at `level` in the pod's KeyValueIndexer by id (each shard of a "
          "polling-all pod keeps its own part)",
          {{"level", "string", "root", "root, chunks or matches: the documents to store"}}};
}

void KVIndexDriver::attach(Executor* executor) {
  indexer_ = &require_capability<KeyValueIndexer>(executor, kind(), "a KeyValueIndexer");
}

DriverResult KVIndexDriver::handle(Message& message, const DriverContext& context) {
  if (indexer_ == nullptr) throw_not_attached(kind());
  for (const Document* doc : docs_at(message.request(), level_)) {
    if (owns_document(context, doc->id)) indexer_->add(*doc);
  }
  return DriverResult::next();
}

}  // namespace jflow
