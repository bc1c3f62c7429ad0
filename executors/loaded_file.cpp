// LoadedFile: open + fstat + read() into a 64-byte-aligned buffer.
#include "executors/loaded_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

namespace jflow::executors {

namespace {

constexpr std::align_val_t kAlignment{64};  // the matrix starts at offset 64: rows stay aligned

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

void LoadedFile::AlignedDelete::operator()(std::byte* bytes) const {
  ::operator delete[](bytes, kAlignment);
}

LoadedFile::LoadedFile(const std::filesystem::path& path) {
  const Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  const auto fail = [&](const std::string& what) {
    throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
  };
  if (fd.get() < 0) fail("cannot open");
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) fail("cannot stat");
  size_ = static_cast<std::size_t>(status.st_size);
  if (size_ == 0) return;
  data_.reset(static_cast<std::byte*>(::operator new[](size_, kAlignment)));
  std::size_t done = 0;
  while (done < size_) {
    const ssize_t got = ::read(fd.get(), data_.get() + done, size_ - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) fail("cannot read");
    if (got == 0) {
      throw std::runtime_error(path.string() + ": shrank from " + std::to_string(size_) + " to " +
                               std::to_string(done) + " bytes while it was read");
    }
    done += static_cast<std::size_t>(got);
  }
}

}  // namespace jflow::executors
