// LoadedFile: a whole file read into memory, 64-byte aligned. The vector indexer used to map its
// index (mmap) and scan it in place, but a mapping dies with SIGBUS when the file is truncated
// under it (issue 16, Found 7: truncating vectors.jfv under a running pea killed it). Every value
// is checked at open anyway (a NaN is refused), so the whole file is read then either way; read
// into memory, a later change to the file cannot touch what the pea holds.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>

namespace jflow::executors {

class LoadedFile {
 public:
  LoadedFile() = default;
  // Reads `path` whole. Throws std::runtime_error naming the file when it cannot, or when the
  // file changes size while it is read. An empty file gives data() == nullptr, size() == 0.
  explicit LoadedFile(const std::filesystem::path& path);

  const std::byte* data() const { return data_.get(); }
  std::size_t size() const { return size_; }

 private:
  struct AlignedDelete {
    void operator()(std::byte* bytes) const;
  };
  std::unique_ptr<std::byte[], AlignedDelete> data_;
  std::size_t size_ = 0;
};

}  // namespace jflow::executors
