// VectorIndexDriver: adds the embeddings of the documents at its level to the pod's
// VectorIndexer, in one add() call per request, under the documents' ids. Every document at the
// level must have an embedding (put an EncodeDriver before it); one without fails the request,
// naming the document.
// Sharding: on a `polling: all` pod with `parallel: N` every shard receives every request, and
// shard i keeps only the documents with shard_of(id, N) == i — the shards split the data, each
// document indexed exactly once, and a search sent to all of them sees it once.
//   uses: {index: [!EncodeDriver {level: chunks}, !VectorIndexDriver {level: chunks}]}
// Needs a VectorIndexer executor; the pea fails to start otherwise.
#pragma once

#include "drivers/doc_level.hpp"
#include "jflow/driver.hpp"

namespace jflow {

class VectorIndexer;

class VectorIndexDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit VectorIndexDriver(DocLevel level) : level_(level) {}
  std::string_view kind() const override { return "VectorIndexDriver"; }
  void attach(Executor* executor) override;
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  DocLevel level_;
  VectorIndexer* indexer_ = nullptr;
};

}  // namespace jflow
