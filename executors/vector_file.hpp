// The vectors.jfv file: how VectorIndexer persists its rows so a later process maps them in place.
//
// Layout (little-endian, the only byte order jflow builds for):
//   offset 0   header, 64 bytes:
//                magic "JFLOWVEC" (8 bytes), format version u32 (= 1), metric u32 (0 cosine, 1 l2),
//                dim u64, count u64, ids_bytes u64, 24 zero bytes
//   offset 64  the matrix: count x dim float32, row-major (64-byte aligned in memory)
//   then       the ids: count x (length u32, that many bytes)
// The file size must be exactly 64 + 4·count·dim + ids_bytes; anything else is reported as
// truncated or corrupt, naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "executors/loaded_file.hpp"

namespace jflow::executors {

enum class Metric : std::uint32_t { cosine = 0, l2 = 1 };

std::string_view metric_name(Metric metric);
std::optional<Metric> parse_metric(std::string_view name);

// A validated vectors.jfv, read into memory: `rows` points into `contents`.
struct VectorFile {
  LoadedFile contents;
  Metric metric = Metric::cosine;
  std::size_t dim = 0;
  std::size_t count = 0;
  const float* rows = nullptr;
  std::vector<std::string> ids;
};

// Maps and validates `path`. Throws std::runtime_error "<path>: <what is wrong>".
VectorFile read_vector_file(const std::filesystem::path& path);

// Rows to write, in order: the mapped rows then the in-memory tail, without copying either.
struct RowSegment {
  const float* rows = nullptr;
  std::size_t count = 0;
};

// Writes the file atomically (temporary file + rename). ids.size() must equal the rows' count.
void write_vector_file(const std::filesystem::path& path, Metric metric, std::size_t dim,
                       std::span<const RowSegment> segments, std::span<const std::string> ids);

}  // namespace jflow::executors
