// vectors.jfv reader and writer (the layout is in vector_file.hpp). The reader trusts nothing:
// every size is checked against the real file size before anything is read, with overflow-safe
// arithmetic, so a truncated or hostile file yields an error and never an out-of-bounds read.
#include "executors/vector_file.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "jflow/atomic_file.hpp"

namespace jflow::executors {

static_assert(std::endian::native == std::endian::little,
              "vectors.jfv stores native floats and integers, which must be little-endian");

namespace {

constexpr char kVectorFileMagic[8] = {'J', 'F', 'L', 'O', 'W', 'V', 'E', 'C'};
constexpr std::uint32_t kVectorFileVersion = 1;
constexpr std::size_t kHeaderBytes = 64;

struct Header {
  char magic[8];
  std::uint32_t version;
  std::uint32_t metric;
  std::uint64_t dim;
  std::uint64_t count;
  std::uint64_t ids_bytes;
  std::uint8_t reserved[24];
};
static_assert(sizeof(Header) == kHeaderBytes, "the header is 64 bytes on disk");

[[noreturn]] void corrupt(const std::filesystem::path& path, const std::string& what) {
  throw std::runtime_error(path.string() + ": " + what);
}

}  // namespace

std::string_view metric_name(Metric metric) {
  return metric == Metric::l2 ? "l2" : "cosine";
}

std::optional<Metric> parse_metric(std::string_view name) {
  if (name == "cosine") return Metric::cosine;
  if (name == "l2") return Metric::l2;
  return std::nullopt;
}

VectorFile read_vector_file(const std::filesystem::path& path) {
  VectorFile file;
  file.contents = LoadedFile(path);
  const std::size_t size = file.contents.size();
  const std::byte* bytes = file.contents.data();
  if (size < kHeaderBytes) {
    corrupt(path, "truncated: " + std::to_string(size) + " bytes, shorter than the " +
                      std::to_string(kHeaderBytes) + "-byte header");
  }
  Header header;
  std::memcpy(&header, bytes, sizeof header);
  if (std::memcmp(header.magic, kVectorFileMagic, sizeof kVectorFileMagic) != 0) {
    corrupt(path, "bad magic: not a jflow vector index (expected \"JFLOWVEC\")");
  }
  if (header.version != kVectorFileVersion) {
    corrupt(path, "unsupported format version " + std::to_string(header.version) +
                      " (this build reads version " + std::to_string(kVectorFileVersion) + ")");
  }
  if (header.metric > static_cast<std::uint32_t>(Metric::l2)) {
    corrupt(path, "unknown metric code " + std::to_string(header.metric));
  }
  if (header.count > 0 && header.dim == 0) {
    corrupt(path, "header says " + std::to_string(header.count) + " rows of dim 0");
  }
  // 64 + 4·count·dim + ids_bytes must not overflow and must be the file's size exactly.
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  if (header.dim != 0 && header.count > kMax / header.dim / sizeof(float)) {
    corrupt(path, "header sizes overflow (count " + std::to_string(header.count) + ", dim " +
                      std::to_string(header.dim) + ")");
  }
  const std::uint64_t matrix_bytes = header.count * header.dim * sizeof(float);
  if (matrix_bytes > kMax - kHeaderBytes || header.ids_bytes > kMax - kHeaderBytes - matrix_bytes) {
    corrupt(path, "header sizes overflow");
  }
  const std::uint64_t expected = kHeaderBytes + matrix_bytes + header.ids_bytes;
  if (size < expected) {
    corrupt(path, "truncated: " + std::to_string(size) + " bytes, the header promises " +
                      std::to_string(expected) + " (" + std::to_string(header.count) +
                      " rows of dim " + std::to_string(header.dim) + " and their ids)");
  }
  if (size > expected) {
    corrupt(path, std::to_string(size - expected) + " unexpected trailing bytes");
  }

  file.metric = static_cast<Metric>(header.metric);
  file.dim = header.dim;
  file.count = header.count;
  file.rows = reinterpret_cast<const float*>(bytes + kHeaderBytes);

  // Ids: each a u32 length and its bytes, exactly filling ids_bytes.
  const std::byte* next = bytes + kHeaderBytes + matrix_bytes;
  const std::byte* end = next + header.ids_bytes;
  file.ids.reserve(file.count);
  for (std::size_t i = 0; i < file.count; ++i) {
    std::uint32_t length = 0;
    if (end - next < static_cast<std::ptrdiff_t>(sizeof length)) {
      corrupt(path, "ids section ends inside the length of id " + std::to_string(i));
    }
    std::memcpy(&length, next, sizeof length);
    next += sizeof length;
    if (static_cast<std::uint64_t>(end - next) < length) {
      corrupt(path, "ids section ends inside id " + std::to_string(i));
    }
    file.ids.emplace_back(reinterpret_cast<const char*>(next), length);
    next += length;
  }
  if (next != end) {
    corrupt(path, std::to_string(end - next) + " bytes left over after the " +
                      std::to_string(file.count) + " ids");
  }
  // add() refuses non-finite values, so one here is damage; left in, a NaN row scores as the best
  // match of every query. One pass over the rows at open is cheap next to serving them.
  for (std::size_t row = 0; row < file.count; ++row) {
    const float* values = file.rows + row * file.dim;
    for (std::size_t column = 0; column < file.dim; ++column) {
      if (!std::isfinite(values[column])) {
        corrupt(path, "row " + std::to_string(row) + " (id '" + file.ids[row] +
                          "') has a non-finite value at column " + std::to_string(column));
      }
    }
  }
  return file;
}

void write_vector_file(const std::filesystem::path& path, Metric metric, std::size_t dim,
                       std::span<const RowSegment> segments, std::span<const std::string> ids) {
  std::size_t count = 0;
  for (const RowSegment& segment : segments) count += segment.count;
  if (count != ids.size()) {
    throw std::logic_error("write_vector_file: " + std::to_string(count) + " rows but " +
                           std::to_string(ids.size()) + " ids");
  }
  std::uint64_t ids_bytes = 0;
  for (const std::string& id : ids) {
    if (id.size() > std::numeric_limits<std::uint32_t>::max()) {
      throw std::invalid_argument("write_vector_file: an id is longer than 4 GiB");
    }
    ids_bytes += sizeof(std::uint32_t) + id.size();
  }

  Header header{};
  std::memcpy(header.magic, kVectorFileMagic, sizeof kVectorFileMagic);
  header.version = kVectorFileVersion;
  header.metric = static_cast<std::uint32_t>(metric);
  header.dim = dim;
  header.count = count;
  header.ids_bytes = ids_bytes;

  AtomicFileWriter writer(path);
  writer.write(&header, sizeof header);
  for (const RowSegment& segment : segments) {
    if (segment.count > 0) writer.write(segment.rows, segment.count * dim * sizeof(float));
  }
  // Ids are small; gather them so the file is written in a few large writes.
  std::string id_bytes;
  id_bytes.reserve(ids_bytes);
  for (const std::string& id : ids) {
    const auto length = static_cast<std::uint32_t>(id.size());
    id_bytes.append(reinterpret_cast<const char*>(&length), sizeof length);
    id_bytes += id;
  }
  writer.write(id_bytes);
  writer.commit();
}

}  // namespace jflow::executors
