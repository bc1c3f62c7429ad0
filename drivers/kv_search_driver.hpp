// KVSearchDriver: fills the documents at its level (by default the matches a search found, which
// carry only id and score) from the pod's KeyValueIndexer. For each document it looks up its id;
// when found, the document's text, raw, blob and tags become the stored document's and its chunks
// are cleared, while its id and score stay — the score is the search's, not the store's.
// A document whose id is not stored is left unchanged and is not an error: on a sharded store
// (`polling: all`) each shard holds only part of the ids, so every shard fills the matches it has
// and leaves the others to the shard that holds them.
//   uses: {search: [!KVSearchDriver {level: matches}]}
// Needs a KeyValueIndexer executor; the pea fails to start otherwise.
#pragma once

#include "drivers/doc_level.hpp"
#include "jflow/driver.hpp"

namespace jflow {

class KeyValueIndexer;

class KVSearchDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit KVSearchDriver(DocLevel level) : level_(level) {}
  std::string_view kind() const override { return "KVSearchDriver"; }
  void attach(Executor* executor) override;
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  DocLevel level_;
  KeyValueIndexer* indexer_ = nullptr;
};

}  // namespace jflow
