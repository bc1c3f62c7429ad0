// VectorIndexer (YAML `uses: VectorIndexer`): exact top-k vector search by brute-force scan.
//
// with: {metric: cosine|l2}. Scores are "higher is better" so shards merge by score alone:
// cosine similarity (stored rows and queries are scaled to unit length; an all-zero row stays
// zero and scores 0), or the negated squared L2 distance. Results are best first, equal scores
// ordered by id, so they do not depend on insertion order or sharding. Adding an id again replaces
// its vector (re-indexing a changed document leaves no stale row to match); rows without an id
// are never merged.
//
// Persistence: close() writes replica_workspace()/vectors.jfv (format: vector_file.hpp); open()
// reads that file into memory (loaded_file.hpp) and queries scan its rows in place, plus an
// in-memory tail of rows added since. A replaced tail row is overwritten; a replaced loaded row is
// only marked superseded (the loaded file is kept as read) until close() rewrites the live rows.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "executors/vector_file.hpp"
#include "jflow/executor.hpp"

namespace jflow::executors {

class VectorIndexer final : public jflow::VectorIndexer {
 public:
  static ExecutorInfo info();
  VectorIndexer(ExecutorMetas metas, Metric metric);

  std::string_view kind() const override { return "VectorIndexer"; }
  // Maps vectors.jfv if it exists. Throws std::runtime_error naming the file when it is
  // truncated, corrupt, or was written with another metric.
  void open() override;
  void close() override;

  // Throws std::invalid_argument for a shape that is not [ids.size(), dim], a dim other than the
  // index's (naming both), a dtype other than float32, or a non-finite value.
  void add(std::span<const std::string> ids, const NdArray& vectors) override;
  std::vector<std::vector<ScoredId>> query(const NdArray& queries, std::size_t top_k) override;
  std::size_t size() const override { return ids_.size() - superseded_count_; }

  Metric metric() const { return metric_; }
  std::size_t dim() const { return dim_; }
  std::filesystem::path index_path() const;

 private:
  Metric metric_;
  std::size_t dim_ = 0;  // 0 until the first add (or a loaded file) fixes it
  std::optional<VectorFile> mapped_;
  std::vector<float> tail_;                              // rows added since open(), row-major
  std::vector<std::string> ids_;                         // the mapped rows' ids, then the tail's
  std::unordered_map<std::string, std::size_t> row_of_;  // each id's live row
  std::vector<char> superseded_;  // per mapped row: 1 when a later add replaced it
  std::size_t superseded_count_ = 0;
  bool changed_ = false;  // add() since open(): close() has something to write

  std::size_t mapped_rows() const { return mapped_ ? mapped_->count : 0; }
  void supersede(std::size_t row);
};

}  // namespace jflow::executors
