// DocumentSource: where the documents of a client call come from, pulled one at a time. The
// client helpers (Flow::index_lines, AsyncFlow::index_ndarray, …) turn their input into a source
// and build each request only when it can be sent, so a large file or array is read as requests
// go out, not all at once.
//
//   jflow::DocumentSource lines = jflow::lines_of_file("corpus.txt");
//   while (auto doc = lines()) { /* doc->text is one line */ }
//
// Errors: the makers throw std::runtime_error / std::invalid_argument for input that cannot work
// (a missing file, an array that is not 2-D); a source throws std::runtime_error if reading fails
// later (a file removed meanwhile).
// Thread-safety: a source is a plain callable; pull from one thread at a time.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "jflow/document.hpp"
#include "jflow/ndarray.hpp"

namespace jflow {

// Returns the next document, or nullopt once every document has been returned.
using DocumentSource = std::function<std::optional<Document>()>;

// The documents as given.
DocumentSource documents_of(std::vector<Document> docs);

// One document per non-empty string, the string as its text.
DocumentSource lines_of(std::vector<std::string> lines);

// One document per non-empty line of a text file (a trailing '\r' is dropped), the line as its
// text. The file is opened now (throws std::runtime_error if it cannot be) and read lazily.
DocumentSource lines_of_file(const std::filesystem::path& file);

// One document per row of a 2-D array, the row (shape {columns}, same dtype) as its embedding.
// Throws std::invalid_argument unless the array is 2-D and its bytes match its shape and dtype.
DocumentSource rows_of(NdArray array);

// One document per file, its bytes in `raw` and its path in tags["path"]. A directory stands for
// the regular files under it (recursively, in path order). Paths are checked now (throws
// std::runtime_error for one that does not exist); contents are read when the document is pulled.
DocumentSource files_of(const std::vector<std::filesystem::path>& paths);

}  // namespace jflow
