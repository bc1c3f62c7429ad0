// AtomicFileWriter: writes a file so readers only ever see the old or the complete new version —
// the one way jflow writes a file it may be killed while writing (an executor's state in close(),
// CURVE key files), and one that executor authors can use for theirs.
// The bytes go to a temporary file beside the target, made with O_EXCL under a name of its own
// (mkostemp: a file or symbolic link left under a predictable name is never written through);
// commit() flushes it (fsync), moves it into place (rename, atomic within one file system) and
// flushes the folder, so the new name survives a crash too.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace jflow {

class AtomicFileWriter {
 public:
  // Creates the target's folder if needed and opens a temporary file beside it with `mode`.
  // Throws std::runtime_error naming the file on any failure.
  explicit AtomicFileWriter(std::filesystem::path target, mode_t mode = 0644);
  // Removes the temporary file unless commit() succeeded.
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  void write(std::string_view bytes);
  void write(const void* data, std::size_t size);

  enum class Existing { replace, keep };
  // Flushes the data and puts the file in place. With Existing::keep a target that exists
  // already is left as it is (link(2) instead of rename(2)) and commit() returns false; true
  // when the new file is in place. Throws std::runtime_error on any failure.
  bool commit(Existing existing = Existing::replace);

 private:
  [[noreturn]] void fail(const std::string& what) const;
  void flush_folder() const;

  std::filesystem::path target_;
  std::filesystem::path temporary_;
  int fd_ = -1;
  bool committed_ = false;
};

}  // namespace jflow
