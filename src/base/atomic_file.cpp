// AtomicFileWriter: temporary file (O_EXCL) + fsync + rename + fsync of the folder.
#include "jflow/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace jflow {

AtomicFileWriter::AtomicFileWriter(std::filesystem::path target, mode_t mode)
    : target_(std::move(target)) {
  std::error_code error;
  if (target_.has_parent_path()) std::filesystem::create_directories(target_.parent_path(), error);
  if (error) {
    throw std::runtime_error("cannot create directory " + target_.parent_path().string() + ": " +
                             error.message());
  }
  // Hidden beside the target, so a folder listing (the shards of a workspace) never sees it.
  std::string pattern = (target_.parent_path() / ("." + target_.filename().string())).string();
  pattern += ".tmp-XXXXXX";
  fd_ = ::mkostemp(pattern.data(), O_CLOEXEC);  // O_CREAT | O_EXCL, mode 0600
  temporary_ = pattern;
  if (fd_ < 0) fail("cannot create");
  if (::fchmod(fd_, mode) != 0) fail("cannot set the mode of");
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

bool AtomicFileWriter::commit(Existing existing) {
  if (::fsync(fd_) != 0) fail("cannot flush");
  const int closed = ::close(fd_);
  fd_ = -1;
  if (closed != 0) fail("cannot close");
  if (existing == Existing::replace) {
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail("cannot rename into place");
  } else {
    // link(2) fails on an existing target where rename(2) would replace it.
    if (::link(temporary_.c_str(), target_.c_str()) != 0) {
      if (errno == EEXIST) return false;  // the destructor removes the temporary file
      fail("cannot link into place");
    }
    ::unlink(temporary_.c_str());
  }
  committed_ = true;
  flush_folder();
  return true;
}

void AtomicFileWriter::flush_folder() const {
  // The new name is durable only once the folder's entry is on disk too.
  const std::filesystem::path folder = target_.has_parent_path() ? target_.parent_path() : ".";
  const int dir = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0 || ::fsync(dir) != 0) {
    const int error = errno;
    if (dir >= 0) ::close(dir);
    errno = error;
    fail("cannot flush the folder of");
  }
  ::close(dir);
}

void AtomicFileWriter::fail(const std::string& what) const {
  throw std::runtime_error(what + " " + temporary_.string() + " (for " + target_.string() +
                           "): " + std::strerror(errno));
}

}  // namespace jflow
