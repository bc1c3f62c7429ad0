// AtomicFileWriter: writes a file so readers only ever see the old or the complete new version.
// Executors persist their state in close(); a pea killed half-way through must not leave a torn
// index behind, so the bytes go to a temporary file next to the target, are flushed to disk, and
// the temporary file is renamed over the target (rename is atomic within one file system).
#pragma once

#include <filesystem>
#include <string_view>

namespace jflow::executors {

class AtomicFileWriter {
 public:
  // Creates the target's directory if needed and opens a temporary file beside it.
  // Throws std::runtime_error naming the file on any failure.
  explicit AtomicFileWriter(std::filesystem::path target);
  // Removes the temporary file unless commit() succeeded.
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::string_view bytes);
  void write(const void* data, std::size_t size);
  // Flushes the data to disk and renames the temporary file over the target.
  void commit();

 private:
  [[noreturn]] void fail(const std::string& what) const;

  std::filesystem::path target_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace jflow::executors
