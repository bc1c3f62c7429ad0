// MappedFile: a whole file mapped read-only into memory. The vector indexer scans a persisted
// index in place instead of reading it into the heap: opening is instant whatever the index size,
// and the page cache is shared by every process that maps the same file.
#pragma once

#include <cstddef>
#include <filesystem>

namespace jflow::executors {

class MappedFile {
 public:
  MappedFile() = default;
  // Maps `path` read-only. Throws std::runtime_error naming the file when it cannot. An empty file
  // maps to data() == nullptr, size() == 0 (mmap cannot map zero bytes).
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  void reset();

  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace jflow::executors
