// KVIndexDriver: stores every document at its level, whole, in the pod's KeyValueIndexer under its
// id — the document store that KVSearchDriver later fills search results from.
// Sharding works as for VectorIndexDriver: on a `polling: all` pod shard i keeps only the
// documents with shard_of(id, N) == i.
//   uses: {index: [!KVIndexDriver {level: root}]}
// Needs a KeyValueIndexer executor; the pea fails to start otherwise.
#pragma once

#include "drivers/doc_level.hpp"
#include "jflow/driver.hpp"

namespace jflow {

class KeyValueIndexer;

class KVIndexDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit KVIndexDriver(DocLevel level) : level_(level) {}
  std::string_view kind() const override { return "KVIndexDriver"; }
  void attach(Executor* executor) override;
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  DocLevel level_;
  KeyValueIndexer* indexer_ = nullptr;
};

}  // namespace jflow
