// Reading `jflow run`'s input lazily: read(2) in 64 KiB pieces into one buffer, lines cut from it
// with their numbers for messages, bytes counted for the progress line.
#include "input_reader.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "client/npy_layout.hpp"
#include "commands.hpp"

namespace jflow::cli {
namespace {

constexpr std::size_t kReadSize = 64 * 1024;

}  // namespace

std::unique_ptr<InputReader> InputReader::lines(const std::string& path, LineFormat format) {
  std::unique_ptr<InputReader> reader(new InputReader());
  reader->format_ = format;
  if (path == "-") {
    reader->name_ = "stdin";
    reader->fd_ = STDIN_FILENO;
  } else {
    reader->name_ = path;
    std::error_code ignored;
    if (std::filesystem::is_directory(path, ignored))
      throw UsageError("input '" + path + "' is a folder, not a file");
    reader->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (reader->fd_ < 0)
      throw UsageError("cannot read input file '" + path + "': " + std::strerror(errno));
    reader->owns_fd_ = true;
  }
  struct stat info {};
  if (::fstat(reader->fd_, &info) == 0 && S_ISREG(info.st_mode)) {
    const off_t offset = ::lseek(reader->fd_, 0, SEEK_CUR);  // stdin redirected mid-file
    reader->total_bytes_ = static_cast<std::uint64_t>(info.st_size - (offset > 0 ? offset : 0));
  } else {
    reader->blocking_ = false;
  }
  return reader;
}

std::unique_ptr<InputReader> InputReader::files(const std::vector<std::filesystem::path>& paths) {
  std::unique_ptr<InputReader> reader(new InputReader());
  reader->name_ = "files";
  try {
    // files_of lists the files now (a folder: the files under it) and reads each one when its
    // document is pulled; count them for the progress line.
    reader->inner_ = files_of(paths);
    for (const std::filesystem::path& path : paths) {
      if (!std::filesystem::is_directory(path)) {
        ++reader->total_documents_;
        continue;
      }
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path))
        reader->total_documents_ += entry.is_regular_file() ? 1 : 0;
    }
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  return reader;
}

std::unique_ptr<InputReader> InputReader::npy(const std::filesystem::path& file) {
  std::unique_ptr<InputReader> reader(new InputReader());
  reader->name_ = file.string();
  reader->fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (reader->fd_ < 0)
    throw UsageError("cannot read '" + file.string() + "': " + std::strerror(errno));
  reader->owns_fd_ = true;
  // Only the header is read now; each row is read when its document is pulled.
  struct stat info {};
  if (::fstat(reader->fd_, &info) != 0 || !S_ISREG(info.st_mode))
    throw UsageError("--npy: '" + file.string() + "' is not a regular file");
  const auto file_size = static_cast<std::uint64_t>(info.st_size);
  std::string prefix(static_cast<std::size_t>(std::min<std::uint64_t>(file_size, 1 << 20)), '\0');
  if (::pread(reader->fd_, prefix.data(), prefix.size(), 0) != static_cast<ssize_t>(prefix.size()))
    throw UsageError("cannot read '" + file.string() + "': " + std::strerror(errno));
  detail::NpyLayout layout;
  try {
    layout = detail::read_npy_layout(prefix, file_size, file.string());
  } catch (const std::exception& e) {
    throw UsageError(e.what());
  }
  if (layout.shape.size() != 2)
    throw UsageError("--npy: '" + file.string() + "' is a " + std::to_string(layout.shape.size()) +
                     "-D array; one document per row needs a 2-D one");
  reader->total_documents_ = layout.shape[0];
  const std::size_t row_bytes = layout.shape[1] * dtype_size(layout.dtype);
  InputReader* self = reader.get();
  reader->inner_ = [self, layout, row_bytes,
                    row = std::uint64_t{0}]() mutable -> std::optional<Document> {
    if (row >= layout.shape[0]) return std::nullopt;
    Document doc;
    doc.embedding.dtype = layout.dtype;
    doc.embedding.shape = {layout.shape[1]};
    doc.embedding.bytes.resize(row_bytes);
    const auto offset = static_cast<off_t>(layout.data_start + row * row_bytes);
    if (::pread(self->fd_, doc.embedding.bytes.data(), row_bytes, offset) !=
        static_cast<ssize_t>(row_bytes))
      throw std::runtime_error(self->name_ + ": row " + std::to_string(row) + " cannot be read");
    ++row;
    return doc;
  };
  return reader;
}

InputReader::~InputReader() {
  if (owns_fd_) ::close(fd_);
}

void InputReader::fail(const std::string& what) {
  error_ = what;
  throw std::runtime_error(error_);
}

InputReader::Pull InputReader::pull(Document& doc) {
  if (!error_.empty()) return Pull::end;
  Pull pulled = Pull::end;
  if (inner_) {
    std::optional<Document> next;
    try {
      next = inner_();
    } catch (const std::exception& e) {
      fail(e.what());  // a file that went away or cannot be read: stop there too
    }
    if (next) {
      doc = std::move(*next);
      pulled = Pull::document;
    }
  } else {
    pulled = next_line(doc);
  }
  if (pulled == Pull::document) ++documents_read_;
  return pulled;
}

void InputReader::read_available() {
  if (eof_) return;
  // Drop what was consumed before growing the buffer: it holds at most one partial line more.
  buffer_.erase(0, buffer_start_);
  buffer_start_ = 0;
  const std::size_t old_size = buffer_.size();
  buffer_.resize(old_size + kReadSize);
  ssize_t n = 0;
  do {
    n = ::read(fd_, buffer_.data() + old_size, kReadSize);
  } while (n < 0 && errno == EINTR);
  buffer_.resize(old_size + static_cast<std::size_t>(n > 0 ? n : 0));
  if (n < 0)
    fail(name_ + ":" + std::to_string(line_number_ + 1) +
         ": reading failed: " + std::strerror(errno));
  if (n == 0) eof_ = true;
}

InputReader::Pull InputReader::next_line(Document& doc) {
  while (true) {
    const std::size_t newline = buffer_.find('\n', buffer_start_);
    std::size_t end = newline;
    if (newline == std::string::npos) {
      if (!eof_) {
        if (!blocking_) return Pull::would_block;
        read_available();
        continue;
      }
      if (buffer_start_ >= buffer_.size()) return Pull::end;
      end = buffer_.size();  // a last line without a newline
    }
    const std::size_t start = buffer_start_;
    buffer_start_ = newline == std::string::npos ? end : end + 1;
    bytes_read_ += buffer_start_ - start;
    ++line_number_;
    std::size_t size = end - start;
    if (size > 0 && buffer_[start + size - 1] == '\r') --size;
    if (size == 0) continue;
    const std::string_view line(buffer_.data() + start, size);
    if (format_ == LineFormat::tsv) {
      const std::size_t tab = line.find('\t');
      if (tab == std::string_view::npos || tab == 0) {
        fail(name_ + ":" + std::to_string(line_number_) +
             (tab == std::string_view::npos
                  ? ": expected 'id<TAB>text' (format: tsv), found no tab"
                  : ": expected 'id<TAB>text' (format: tsv), the id is empty"));
      }
      doc.id.assign(line.substr(0, tab));
      doc.text.assign(line.substr(tab + 1));
    } else {
      doc.text.assign(line);
    }
    return Pull::document;
  }
}

std::optional<double> InputReader::fraction_read() const {
  if (total_bytes_) {
    return *total_bytes_ == 0 ? 1.0 : static_cast<double>(bytes_read_) / *total_bytes_;
  }
  if (total_documents_ > 0) return static_cast<double>(documents_read_) / total_documents_;
  return std::nullopt;
}

}  // namespace jflow::cli
