// ClientCalls: the client calls of Flow and AsyncFlow (index, search, train and their lines /
// ndarray / files forms), written once. Each is a request type and a document source; both
// facades inherit them and run them through their one general call,
// `send(RequestType, DocumentSource, RequestOptions)`.
//
// Each call sends its documents as requests of options.request_size documents, at most
// options.prefetch in flight (see jflow/request_options.hpp). What a call returns is its facade's
// `send`: Flow's waits until every request has ended and returns the responses (empty when a
// callback took them), AsyncFlow's returns at once and calls back from inside process().
// Throws FlowError when the flow is not running, std::invalid_argument / std::runtime_error for
// input that cannot work (request_size 0, a missing file, an array that is not 2-D).
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "jflow/document_source.hpp"
#include "jflow/request.hpp"
#include "jflow/request_options.hpp"

namespace jflow {

// Facade derives from ClientCalls<Facade, Result> and has a public
// `Result send(RequestType, DocumentSource, RequestOptions)`.
template <typename Facade, typename Result>
class ClientCalls {
 public:
  Result index(std::vector<Document> docs, RequestOptions options = {}) {
    return as(RequestType::index, documents_of(std::move(docs)), std::move(options));
  }
  Result search(std::vector<Document> docs, RequestOptions options = {}) {
    return as(RequestType::search, documents_of(std::move(docs)), std::move(options));
  }
  Result train(std::vector<Document> docs, RequestOptions options = {}) {
    return as(RequestType::train, documents_of(std::move(docs)), std::move(options));
  }
  // One document per non-empty line of a text file, or per non-empty string.
  Result index_lines(const std::filesystem::path& file, RequestOptions options = {}) {
    return as(RequestType::index, lines_of_file(file), std::move(options));
  }
  Result index_lines(std::vector<std::string> lines, RequestOptions options = {}) {
    return as(RequestType::index, lines_of(std::move(lines)), std::move(options));
  }
  Result search_lines(const std::filesystem::path& file, RequestOptions options = {}) {
    return as(RequestType::search, lines_of_file(file), std::move(options));
  }
  Result search_lines(std::vector<std::string> lines, RequestOptions options = {}) {
    return as(RequestType::search, lines_of(std::move(lines)), std::move(options));
  }
  // One document per row of a 2-D array, the row as its embedding.
  Result index_ndarray(NdArray array, RequestOptions options = {}) {
    return as(RequestType::index, rows_of(std::move(array)), std::move(options));
  }
  Result search_ndarray(NdArray array, RequestOptions options = {}) {
    return as(RequestType::search, rows_of(std::move(array)), std::move(options));
  }
  // One document per file (directories: the files under them), contents in raw, tags["path"].
  Result index_files(const std::vector<std::filesystem::path>& paths, RequestOptions options = {}) {
    return as(RequestType::index, files_of(paths), std::move(options));
  }

 protected:
  ClientCalls() = default;
  ~ClientCalls() = default;

 private:
  Result as(RequestType type, DocumentSource source, RequestOptions options) {
    return static_cast<Facade&>(*this).send(type, std::move(source), std::move(options));
  }
};

}  // namespace jflow
