#include "drivers/kv_search_driver.hpp"

#include "drivers/driver_support.hpp"
#include "jflow/message.hpp"

namespace jflow {

DriverInfo KVSearchDriver::info() {
  return {"KVSearchDriver",
          "fills the documents at `level` (default: matches) with the stored documents of the "
          "same id, keeping their id and score",
          {{"level", "string", "matches", "root, chunks or matches: the documents to fill"}}};
}

void KVSearchDriver::attach(Executor* executor) {
  indexer_ = &require_capability<KeyValueIndexer>(executor, kind(), "a KeyValueIndexer");
}

DriverResult KVSearchDriver::handle(Message& message, const DriverContext&) {
  if (indexer_ == nullptr) throw_not_attached(kind());
  for_each_doc(message.request(), level_, [this](Document& doc) {
    std::optional<Document> stored = indexer_->get(doc.id);
    if (!stored) return;  // another shard may hold it
    doc.text = std::move(stored->text);
    doc.raw = std::move(stored->raw);
    doc.blob = std::move(stored->blob);
    doc.tags = std::move(stored->tags);
    doc.chunks.clear();
  });
  return DriverResult::next();
}

}  // namespace jflow
