// InputReader: where `jflow run` gets one phase's documents, read only as requests can be sent,
// so memory holds the window's documents, not the input. Lines and tsv come from a file or
// standard input ("-"), --files from files (each read when its document is pulled), --npy from the
// rows of a 2-D array (the header is read at once, each row when it is pulled).
//
// A pipe or terminal may have no full line for a while: pull() then says would_block instead of
// blocking, and the caller waits on fd() together with the flow, so replies keep being handled
// (and printed) while the input is slow. Files never block that way.
//
// A bad line (tsv without a tab, or an empty id) — or a file that cannot be read — stops the
// reading: the reader keeps "FILE:LINE: what" in error() and pull() throws it; `jflow run` then
// ends the requests in flight and exits 2 (README "Input streams").
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jflow/document_source.hpp"
#include "jflow/flow_spec.hpp"

namespace jflow::cli {

class InputReader {
 public:
  // Opens the file now (UsageError when it cannot be); "-" is standard input.
  static std::unique_ptr<InputReader> lines(const std::string& path, LineFormat format);
  static std::unique_ptr<InputReader> files(const std::vector<std::filesystem::path>& paths);
  static std::unique_ptr<InputReader> npy(const std::filesystem::path& file);
  ~InputReader();
  InputReader(const InputReader&) = delete;
  InputReader& operator=(const InputReader&) = delete;

  enum class Pull { document, would_block, end };
  // The next document into `doc`; would_block only for a pipe or terminal with no full line yet.
  // Throws std::runtime_error (and sets error()) at a bad line.
  Pull pull(Document& doc);
  // A pipe or terminal: the fd to wait on when pull() says would_block; -1 otherwise.
  int fd() const { return blocking_ ? -1 : fd_; }
  // Reads what the fd has (call when poll() says it is readable).
  void read_available();

  std::size_t documents_read() const { return documents_read_; }
  // How much of the input has been read, 0 … 1, when its size is known (a file; stdin
  // redirected from a file; a list of files), else nullopt (a pipe).
  std::optional<double> fraction_read() const;
  const std::string& error() const { return error_; }

 private:
  InputReader() = default;
  Pull next_line(Document& doc);
  [[noreturn]] void fail(const std::string& what);

  std::string name_;  // the file as given, or "stdin"
  LineFormat format_ = LineFormat::text;
  int fd_ = -1;
  bool owns_fd_ = false;
  bool blocking_ = true;  // a regular file: reading it never waits on a producer
  std::string buffer_;    // bytes read and not yet consumed, from buffer_start_
  std::size_t buffer_start_ = 0;
  bool eof_ = false;
  std::size_t line_number_ = 0;
  std::uint64_t bytes_read_ = 0;  // consumed as lines
  std::optional<std::uint64_t> total_bytes_;
  DocumentSource inner_;  // files and npy: the library's sources
  std::size_t total_documents_ = 0;
  std::size_t documents_read_ = 0;
  std::string error_;
};

}  // namespace jflow::cli
