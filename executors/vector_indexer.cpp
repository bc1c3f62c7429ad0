// VectorIndexer: exact top-k over mapped + in-memory rows, scanned block by block so each block
// of rows is read from memory once for all queries of a request, then scored from cache.
#include "executors/vector_indexer.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "executors/score_kernels.hpp"
#include "executors/shard_files.hpp"
#include "executors/top_k.hpp"

namespace jflow::executors {
namespace {

// Rows per block: about 128 KiB of rows, which stays in L2 while every query scans it.
constexpr std::size_t kBlockBytes = 128 * 1024;

struct MatrixShape {
  std::size_t rows;
  std::size_t dim;
};

MatrixShape matrix_shape(const NdArray& array, const char* what) {
  if (array.dtype != DType::float32) {
    throw std::invalid_argument(std::string("VectorIndexer: ") + what + " must be float32, got " +
                                std::string(dtype_name(array.dtype)));
  }
  if (array.shape.size() != 2) {
    throw std::invalid_argument(std::string("VectorIndexer: ") + what +
                                " must be a 2-d array [rows, dim], got " +
                                std::to_string(array.shape.size()) + " dimensions");
  }
  const auto count = array.element_count();
  if (!count || *count * sizeof(float) != array.bytes.size()) {
    throw std::invalid_argument(std::string("VectorIndexer: ") + what +
                                " byte size does not match its shape");
  }
  return {static_cast<std::size_t>(array.shape[0]), static_cast<std::size_t>(array.shape[1])};
}

// Copies the floats out (NdArray bytes carry no alignment guarantee) and rejects NaN and
// infinity, which would make scores unordered and the top-k meaningless.
std::vector<float> checked_floats(const NdArray& array, const char* what) {
  std::vector<float> values(array.bytes.size() / sizeof(float));
  if (!values.empty()) std::memcpy(values.data(), array.bytes.data(), array.bytes.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw std::invalid_argument(std::string("VectorIndexer: ") + what +
                                  " holds a non-finite value at element " + std::to_string(i));
    }
  }
  return values;
}

}  // namespace

ExecutorInfo VectorIndexer::info() {
  return {"VectorIndexer",
          "exact top-k vector search (cosine or L2), persisted to vectors.jfv and read on open",
          {{"metric", "string", "cosine",
            "cosine (similarity of unit-length rows) or l2 (negated squared distance)"}},
          "{index: [!VectorIndexDriver {level: chunks}], "
          "search: [!VectorSearchDriver {level: chunks}]}"};
}

VectorIndexer::VectorIndexer(ExecutorMetas metas, Metric metric)
    : jflow::VectorIndexer(std::move(metas)), metric_(metric) {}

std::filesystem::path VectorIndexer::index_path() const {
  return metas().replica_workspace() / "vectors.jfv";
}

void VectorIndexer::open() {
  if (size() > 0 || mapped_) throw std::logic_error("VectorIndexer::open: called after use");
  if (!metas().persistent()) return;
  const std::filesystem::path path = index_path();
  check_shard_files(metas(), path.filename().string());
  // Without an error_code: a file we cannot even stat must fail open(), not look absent.
  if (!std::filesystem::exists(path)) return;
  VectorFile file = read_vector_file(path);
  if (file.metric != metric_) {
    throw std::runtime_error(
        path.string() + ": written with metric " + std::string(metric_name(file.metric)) +
        ", but this VectorIndexer is configured with metric " + std::string(metric_name(metric_)));
  }
  dim_ = file.dim;
  ids_ = std::move(file.ids);
  mapped_ = std::move(file);
  superseded_.assign(ids_.size(), 0);
  // A file from before ids were replaced may hold an id twice: its last row wins, as in add().
  for (std::size_t row = 0; row < ids_.size(); ++row) {
    if (ids_[row].empty()) continue;
    auto [it, inserted] = row_of_.emplace(ids_[row], row);
    if (!inserted) {
      supersede(it->second);
      it->second = row;
    }
  }
}

void VectorIndexer::supersede(std::size_t row) {
  superseded_[row] = 1;
  ++superseded_count_;
}

void VectorIndexer::close() {
  if (!metas().persistent()) return;
  // Unchanged since it was loaded: nothing to write (and a search-only run works on a read-only
  // workspace).
  if (!changed_ && mapped_) return;
  if (superseded_count_ == 0) {
    std::vector<RowSegment> segments;
    if (mapped_) segments.push_back({mapped_->rows, mapped_->count});
    segments.push_back({tail_.data(), dim_ == 0 ? 0 : tail_.size() / dim_});
    write_vector_file(index_path(), metric_, dim_, segments, ids_);
    return;
  }
  // Some mapped rows were replaced: write the live rows only, in their order.
  std::vector<float> live;
  std::vector<std::string> live_ids;
  live.reserve(size() * dim_);
  live_ids.reserve(size());
  for (std::size_t row = 0; row < ids_.size(); ++row) {
    if (row < mapped_rows() && superseded_[row]) continue;
    const float* values = row < mapped_rows() ? mapped_->rows + row * dim_
                                              : tail_.data() + (row - mapped_rows()) * dim_;
    live.insert(live.end(), values, values + dim_);
    live_ids.push_back(ids_[row]);
  }
  const RowSegment segment{live.data(), live_ids.size()};
  write_vector_file(index_path(), metric_, dim_, std::span(&segment, 1), live_ids);
}

void VectorIndexer::add(std::span<const std::string> ids, const NdArray& vectors) {
  const MatrixShape shape = matrix_shape(vectors, "vectors");
  if (shape.rows != ids.size()) {
    throw std::invalid_argument("VectorIndexer: " + std::to_string(ids.size()) + " ids but " +
                                std::to_string(shape.rows) + " vector rows");
  }
  if (shape.dim == 0) {
    if (shape.rows == 0) return;
    throw std::invalid_argument("VectorIndexer: vectors have dim 0");
  }
  if (dim_ != 0 && shape.dim != dim_) {
    throw std::invalid_argument("VectorIndexer: vectors have dim " + std::to_string(shape.dim) +
                                " but the index holds dim " + std::to_string(dim_));
  }
  changed_ = true;
  std::vector<float> rows = checked_floats(vectors, "vectors");
  if (metric_ == Metric::cosine) {
    for (std::size_t r = 0; r < shape.rows; ++r)
      normalize_row(rows.data() + r * shape.dim, shape.dim);
  }
  dim_ = shape.dim;
  for (std::size_t r = 0; r < shape.rows; ++r) {
    const float* values = rows.data() + r * dim_;
    // An empty id names nothing to replace: that row is kept as a row of its own.
    if (!ids[r].empty()) {
      auto [it, inserted] = row_of_.emplace(ids[r], ids_.size());
      if (!inserted && it->second >= mapped_rows()) {
        // Replacing a row added since open(): overwrite it where it is.
        std::copy(values, values + dim_, tail_.begin() + (it->second - mapped_rows()) * dim_);
        continue;
      }
      if (!inserted) {
        supersede(it->second);  // a mapped row: read-only, so the new vector goes to the tail
        it->second = ids_.size();
      }
    }
    tail_.insert(tail_.end(), values, values + dim_);
    ids_.push_back(ids[r]);
  }
}

std::vector<std::vector<ScoredId>> VectorIndexer::query(const NdArray& queries, std::size_t top_k) {
  const MatrixShape shape = matrix_shape(queries, "queries");
  std::vector<std::vector<ScoredId>> results(shape.rows);
  if (shape.rows == 0 || top_k == 0 || size() == 0) return results;
  if (shape.dim != dim_) {
    throw std::invalid_argument("VectorIndexer: queries have dim " + std::to_string(shape.dim) +
                                " but the index holds dim " + std::to_string(dim_));
  }
  std::vector<float> query_rows = checked_floats(queries, "queries");
  if (metric_ == Metric::cosine) {
    for (std::size_t q = 0; q < shape.rows; ++q) normalize_row(query_rows.data() + q * dim_, dim_);
  }

  std::vector<TopK> best(shape.rows, TopK(std::min(top_k, size()), ids_));
  const std::size_t block_rows = std::max<std::size_t>(1, kBlockBytes / (dim_ * sizeof(float)));
  // Only mapped rows can be superseded (tail rows are overwritten in place).
  const auto scan = [&](const float* rows, std::size_t count, std::size_t first_row,
                        bool may_skip) {
    for (std::size_t start = 0; start < count; start += block_rows) {
      const std::size_t end = std::min(count, start + block_rows);
      for (std::size_t q = 0; q < shape.rows; ++q) {
        const float* query_row = query_rows.data() + q * dim_;
        TopK& top = best[q];
        for (std::size_t r = start; r < end; ++r) {
          if (may_skip && superseded_[first_row + r]) continue;
          const float score = metric_ == Metric::cosine
                                  ? dot_product(query_row, rows + r * dim_, dim_)
                                  : -squared_l2(query_row, rows + r * dim_, dim_);
          top.offer(score, first_row + r);
        }
      }
    }
  };
  if (mapped_) scan(mapped_->rows, mapped_rows(), 0, superseded_count_ > 0);
  scan(tail_.data(), tail_.size() / dim_, mapped_rows(), false);

  for (std::size_t q = 0; q < shape.rows; ++q) {
    for (const TopK::Entry& entry : best[q].take_sorted()) {
      results[q].push_back({ids_[entry.row], entry.score});
    }
  }
  return results;
}

}  // namespace jflow::executors
