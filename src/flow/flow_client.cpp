// The client calls of Flow and AsyncFlow (index, search, train and their lines / ndarray / files
// helpers): each names a request type and a document source, and RequestStream does the rest.
// AsyncFlow's forms return at once; Flow's run its loop until the call's last request has ended.
#include <memory>

#include "flow/request_stream.hpp"
#include "jflow/async_flow.hpp"
#include "jflow/flow.hpp"

namespace jflow {

// ---- AsyncFlow ----

void AsyncFlow::send_stream(RequestType type, DocumentSource source, RequestOptions options,
                            ResponseCallback sink) {
  switch (state()) {
    case State::running:
      break;
    case State::idle:
      throw FlowError(std::string(request_type_name(type)) + ": the flow is not started");
    case State::starting:
      throw FlowError(std::string(request_type_name(type)) + ": the flow is still starting");
    case State::closing:
    case State::closed:
      throw FlowError(std::string(request_type_name(type)) + ": the flow is closed");
  }
  auto stream = std::make_shared<detail::RequestStream>(*this, *streams_, type, std::move(source),
                                                        std::move(options), std::move(sink));
  // The stream lives on in its requests' callbacks (or the scheduler) until its last one ends.
  stream->pump(true);
}

void AsyncFlow::send(RequestType type, DocumentSource source, RequestOptions options) {
  send_stream(type, std::move(source), std::move(options), {});
}
void AsyncFlow::index(std::vector<Document> docs, RequestOptions options) {
  send(RequestType::index, documents_of(std::move(docs)), std::move(options));
}
void AsyncFlow::search(std::vector<Document> docs, RequestOptions options) {
  send(RequestType::search, documents_of(std::move(docs)), std::move(options));
}
void AsyncFlow::train(std::vector<Document> docs, RequestOptions options) {
  send(RequestType::train, documents_of(std::move(docs)), std::move(options));
}
void AsyncFlow::index_lines(const std::filesystem::path& file, RequestOptions options) {
  send(RequestType::index, lines_of_file(file), std::move(options));
}
void AsyncFlow::index_lines(std::vector<std::string> lines, RequestOptions options) {
  send(RequestType::index, lines_of(std::move(lines)), std::move(options));
}
void AsyncFlow::search_lines(const std::filesystem::path& file, RequestOptions options) {
  send(RequestType::search, lines_of_file(file), std::move(options));
}
void AsyncFlow::search_lines(std::vector<std::string> lines, RequestOptions options) {
  send(RequestType::search, lines_of(std::move(lines)), std::move(options));
}
void AsyncFlow::index_ndarray(NdArray array, RequestOptions options) {
  send(RequestType::index, rows_of(std::move(array)), std::move(options));
}
void AsyncFlow::search_ndarray(NdArray array, RequestOptions options) {
  send(RequestType::search, rows_of(std::move(array)), std::move(options));
}
void AsyncFlow::index_files(const std::vector<std::filesystem::path>& paths,
                            RequestOptions options) {
  send(RequestType::index, files_of(paths), std::move(options));
}

// ---- Flow: the same calls, waiting for their end ----

std::vector<Response> Flow::send(RequestType type, DocumentSource source, RequestOptions options) {
  // Shared with the callbacks, so that nothing dangles if a callback's exception unwinds this
  // frame while the call's other requests are still in flight.
  struct CallState {
    bool finished = false;
    std::vector<Response> responses;
  };
  auto state = std::make_shared<CallState>();
  const bool collect = !options.on_done && !options.on_error && !options.on_always;
  options.on_finished = [state, user = std::move(options.on_finished)] {
    state->finished = true;
    if (user) user();
  };
  ResponseCallback sink;
  if (collect)
    sink = [state](Response&& response) { state->responses.push_back(std::move(response)); };
  async_->send_stream(type, std::move(source), std::move(options), std::move(sink));
  while (!state->finished) poll(std::chrono::seconds(1));
  return std::move(state->responses);
}

std::vector<Response> Flow::index(std::vector<Document> docs, RequestOptions options) {
  return send(RequestType::index, documents_of(std::move(docs)), std::move(options));
}
std::vector<Response> Flow::search(std::vector<Document> docs, RequestOptions options) {
  return send(RequestType::search, documents_of(std::move(docs)), std::move(options));
}
std::vector<Response> Flow::train(std::vector<Document> docs, RequestOptions options) {
  return send(RequestType::train, documents_of(std::move(docs)), std::move(options));
}
std::vector<Response> Flow::index_lines(const std::filesystem::path& file, RequestOptions options) {
  return send(RequestType::index, lines_of_file(file), std::move(options));
}
std::vector<Response> Flow::index_lines(std::vector<std::string> lines, RequestOptions options) {
  return send(RequestType::index, lines_of(std::move(lines)), std::move(options));
}
std::vector<Response> Flow::search_lines(const std::filesystem::path& file,
                                         RequestOptions options) {
  return send(RequestType::search, lines_of_file(file), std::move(options));
}
std::vector<Response> Flow::search_lines(std::vector<std::string> lines, RequestOptions options) {
  return send(RequestType::search, lines_of(std::move(lines)), std::move(options));
}
std::vector<Response> Flow::index_ndarray(NdArray array, RequestOptions options) {
  return send(RequestType::index, rows_of(std::move(array)), std::move(options));
}
std::vector<Response> Flow::search_ndarray(NdArray array, RequestOptions options) {
  return send(RequestType::search, rows_of(std::move(array)), std::move(options));
}
std::vector<Response> Flow::index_files(const std::vector<std::filesystem::path>& paths,
                                        RequestOptions options) {
  return send(RequestType::index, files_of(paths), std::move(options));
}

}  // namespace jflow
