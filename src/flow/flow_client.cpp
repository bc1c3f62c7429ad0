// The one general client call of each facade, send(type, source, options); index, search_lines,
// index_ndarray, … are it with a request type and a source (jflow/client_calls.hpp). A
// RequestStream does the work. AsyncFlow's returns at once; Flow's runs its loop until the call's
// last request has ended.
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

}  // namespace jflow
