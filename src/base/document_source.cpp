// The document sources behind the client helpers: vectors, lines, array rows and files, each
// pulled lazily so only the documents of requests being sent are in memory.
#include "jflow/document_source.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

namespace jflow {

DocumentSource documents_of(std::vector<Document> docs) {
  // std::function needs a copyable callable: the vector is shared, not copied per pull.
  auto state = std::make_shared<std::vector<Document>>(std::move(docs));
  return [state, next = std::size_t{0}]() mutable -> std::optional<Document> {
    if (next >= state->size()) return std::nullopt;
    return std::move((*state)[next++]);
  };
}

DocumentSource lines_of(std::vector<std::string> lines) {
  auto state = std::make_shared<std::vector<std::string>>(std::move(lines));
  return [state, next = std::size_t{0}]() mutable -> std::optional<Document> {
    while (next < state->size()) {
      std::string& line = (*state)[next++];
      if (line.empty()) continue;
      Document doc;
      doc.text = std::move(line);
      return doc;
    }
    return std::nullopt;
  };
}

DocumentSource lines_of_file(const std::filesystem::path& file) {
  auto in = std::make_shared<std::ifstream>(file);
  if (!*in) throw std::runtime_error("cannot read '" + file.string() + "'");
  return [in, file]() -> std::optional<Document> {
    std::string line;
    while (std::getline(*in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      Document doc;
      doc.text = std::move(line);
      return doc;
    }
    if (in->bad()) throw std::runtime_error("reading '" + file.string() + "' failed");
    return std::nullopt;
  };
}

DocumentSource rows_of(NdArray array) {
  if (array.shape.size() != 2) {
    throw std::invalid_argument("rows_of: expected a 2-D array, got " +
                                std::to_string(array.shape.size()) + " dimensions");
  }
  auto count = array.element_count();
  if (!count || *count * dtype_size(array.dtype) != array.bytes.size()) {
    throw std::invalid_argument("rows_of: the array's bytes do not match its shape and dtype");
  }
  auto state = std::make_shared<NdArray>(std::move(array));
  const std::size_t row_bytes = state->shape[1] * dtype_size(state->dtype);
  return [state, row_bytes, row = std::uint64_t{0}]() mutable -> std::optional<Document> {
    if (row >= state->shape[0]) return std::nullopt;
    Document doc;
    doc.embedding.dtype = state->dtype;
    doc.embedding.shape = {state->shape[1]};
    doc.embedding.bytes = state->bytes.substr(row * row_bytes, row_bytes);
    ++row;
    return doc;
  };
}

DocumentSource files_of(const std::vector<std::filesystem::path>& paths) {
  namespace fs = std::filesystem;
  auto files = std::make_shared<std::vector<fs::path>>();
  for (const fs::path& path : paths) {
    if (fs::is_directory(path)) {
      std::vector<fs::path> found;
      for (const auto& entry : fs::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());
      files->insert(files->end(), found.begin(), found.end());
    } else if (fs::exists(path)) {
      files->push_back(path);
    } else {
      throw std::runtime_error("no such file or directory: '" + path.string() + "'");
    }
  }
  return [files, next = std::size_t{0}]() mutable -> std::optional<Document> {
    if (next >= files->size()) return std::nullopt;
    const fs::path& path = (*files)[next++];
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read '" + path.string() + "'");
    Document doc;
    doc.raw.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) throw std::runtime_error("reading '" + path.string() + "' failed");
    doc.tags["path"] = path.string();
    return doc;
  };
}

}  // namespace jflow
