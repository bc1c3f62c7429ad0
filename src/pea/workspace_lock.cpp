// WorkspaceLock: flock on a lock file beside the replica's folder. A flock belongs to the open
// file description, so it also separates two thread peas of one process, and the kernel drops it
// when the holder dies: a killed run never leaves a stale lock behind.
#include "pea/workspace_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace jflow {

WorkspaceLock::WorkspaceLock(const std::filesystem::path& folder) {
  std::error_code ignored;
  std::filesystem::create_directories(folder.parent_path(), ignored);
  const std::string file = folder.string() + ".lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  // A read-only workspace (a search-only run) may still hold a lock file from a writer; flock
  // works on a read-only descriptor too.
  if (fd_ < 0) fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  // No lock file can be had at all (the workspace cannot be created or read): nothing can share
  // this workspace, and the executor reports what it cannot do itself, in open() or close().
  if (fd_ < 0) return;
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int error = errno;
    char holder[32] = {};
    const ssize_t got = ::pread(fd_, holder, sizeof holder - 1, 0);
    ::close(fd_);
    fd_ = -1;
    if (error == EWOULDBLOCK) {
      const std::string pid = got > 0 ? std::string(holder, static_cast<std::size_t>(got)) : "?";
      throw std::runtime_error("workspace " + folder.string() +
                               " is in use by another pea (process " + pid +
                               "): two flows cannot share one workspace at once");
    }
    throw std::runtime_error("cannot lock " + file + ": " + std::strerror(error));
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The lock holds without the pid; only the message to a second opener is poorer.
  }
}

WorkspaceLock::~WorkspaceLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace jflow
