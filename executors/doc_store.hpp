// DocStore (YAML `uses: DocStore`): a KeyValueIndexer that keeps whole documents by id, so a
// search can return a match's full text and tags after the vector index found only its id.
//
// with: {} (no options). add() stores a copy; adding an id again replaces it (last add wins).
// Persistence: close() writes replica_workspace()/docs.jfd: the magic "JFLOWDOC", a u32 format
// version (1), then the documents as one msgpack body (jflow's wire codec, docs/PROTOCOL.md),
// written to a temporary file and renamed into place. open() loads it if it exists; a truncated
// or corrupt file is a std::runtime_error naming the file and what is wrong.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "jflow/executor.hpp"

namespace jflow::executors {

class DocStore final : public KeyValueIndexer {
 public:
  static ExecutorInfo info();
  explicit DocStore(ExecutorMetas metas);

  std::string_view kind() const override { return "DocStore"; }
  void open() override;
  void close() override;

  void add(const Document& document) override;
  std::optional<Document> get(std::string_view id) const override;
  std::size_t size() const override { return documents_.size(); }

  std::filesystem::path store_path() const;

 private:
  // Ordered, so the file is the same bytes for the same documents.
  std::map<std::string, Document, std::less<>> documents_;
  bool loaded_ = false;   // open() read docs.jfd
  bool changed_ = false;  // add() since open(): close() has something to write
};

}  // namespace jflow::executors
