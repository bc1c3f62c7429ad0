// AtomicFileWriter: temporary file + fsync + rename, so a persisted index is never half written.
#include "executors/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace jflow::executors {

AtomicFileWriter::AtomicFileWriter(std::filesystem::path target) : target_(std::move(target)) {
  std::error_code error;
  if (target_.has_parent_path()) std::filesystem::create_directories(target_.parent_path(), error);
  if (error) {
    throw std::runtime_error("cannot create directory " + target_.parent_path().string() + ": " +
                             error.message());
  }
  // The pid keeps two processes that share a workspace by mistake from writing one temp file.
  temporary_ = target_;
  temporary_ += ".tmp-" + std::to_string(::getpid());
  fd_ = ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) fail("cannot create");
}

AtomicFileWriter::~AtomicFileWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) {
    std::error_code ignored;
    std::filesystem::remove(temporary_, ignored);
  }
}

void AtomicFileWriter::write(std::string_view bytes) {
  write(bytes.data(), bytes.size());
}

void AtomicFileWriter::write(const void* data, std::size_t size) {
  const char* next = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::write(fd_, next, size);
    if (written < 0) {
      if (errno == EINTR) continue;
      fail("cannot write");
    }
    next += written;
    size -= static_cast<std::size_t>(written);
  }
}

void AtomicFileWriter::commit() {
  if (::fsync(fd_) != 0) fail("cannot flush");
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) fail("cannot close");
  if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail("cannot rename into place");
  committed_ = true;
}

void AtomicFileWriter::fail(const std::string& what) const {
  throw std::runtime_error(what + " " + temporary_.string() + " (for " + target_.string() +
                           "): " + std::strerror(errno));
}

}  // namespace jflow::executors
