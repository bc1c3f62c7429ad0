// How a client call becomes requests: pull documents lazily, keep at most `prefetch` requests in
// flight, wait for room in the flow without queueing, and end every request exactly once.
#include "flow/request_stream.hpp"

#include <limits>
#include <stdexcept>

namespace jflow::detail {

RequestStream::RequestStream(AsyncFlow& flow, StreamScheduler& scheduler, RequestType type,
                             DocumentSource source, RequestOptions options, ResponseCallback sink)
    : flow_(flow),
      scheduler_(scheduler),
      type_(type),
      source_(std::move(source)),
      options_(std::move(options)),
      sink_(std::move(sink)),
      limit_(options_.prefetch > 0 ? options_.prefetch : std::numeric_limits<std::size_t>::max()) {
  if (options_.request_size == 0) throw std::invalid_argument("request_size must be at least 1");
  if (!source_) throw std::invalid_argument("no document source");
}

std::optional<Request> RequestStream::next_request() {
  Request request;
  request.type = type_;
  request.parameters = options_.parameters;
  while (request.docs.size() < options_.request_size) {
    std::optional<Document> doc = source_();
    if (!doc) {
      exhausted_ = true;
      break;
    }
    request.docs.push_back(std::move(*doc));
  }
  if (request.docs.empty()) return std::nullopt;
  return request;
}

void RequestStream::pump(bool first) {
  // Callbacks below may drop the last other reference to this stream.
  auto self = shared_from_this();
  while (!exhausted_ && in_flight_ < limit_) {
    if (flow_.state() != AsyncFlow::State::running) {
      end_unsent(StatusCode::closed, "the flow closed before this request was sent");
      break;
    }
    if (flow_.at_capacity()) {
      // The flow is full with other callers' requests: wait to be resumed by process(), where
      // requests end. Not a queue: nothing is built until there is room.
      if (!waiting_) {
        waiting_ = true;
        scheduler_.wait_for_room(self);
      }
      return;
    }
    std::optional<Request> request;
    try {
      request = next_request();
    } catch (const std::exception& e) {
      if (first && !sent_any_) throw;
      exhausted_ = true;
      Response response;
      response.envelope.type = type_;
      response.envelope.status = {StatusCode::bad_request,
                                  std::string("reading the documents failed: ") + e.what(),
                                  "client", ""};
      deliver(std::move(response));
      break;
    }
    if (!request) break;
    ++in_flight_;
    try {
      flow_.submit(
          std::move(*request), [self](Response&& response) { self->on_reply(std::move(response)); },
          options_.timeout);
      sent_any_ = true;
    } catch (const FlowError& e) {
      --in_flight_;
      if (first && !sent_any_) throw;  // e.g. the wrong thread: the caller hears it
      Response response;
      response.envelope.type = type_;
      response.envelope.status = {StatusCode::closed, e.what(), "", ""};
      deliver(std::move(response));
      end_unsent(StatusCode::closed, e.what());
      break;
    }
  }
  maybe_finish();
}

void RequestStream::resume() {
  waiting_ = false;
  pump();
}

void RequestStream::on_reply(Response&& response) {
  auto self = shared_from_this();
  --in_flight_;
  pump();  // refill first: the next request travels while this one's callbacks run
  deliver(std::move(response));
  maybe_finish();
}

void RequestStream::deliver(Response&& response) {
  ++delivering_;
  try {
    if (response.ok()) {
      if (options_.on_done) options_.on_done(response);
    } else if (options_.on_error) {
      options_.on_error(response);
    }
    if (options_.on_always) options_.on_always(response);
    if (sink_) sink_(std::move(response));
  } catch (...) {
    --delivering_;
    maybe_finish();
    throw;
  }
  --delivering_;
}

void RequestStream::end_unsent(StatusCode code, const std::string& message) {
  while (!exhausted_) {
    std::optional<Request> request;
    try {
      request = next_request();
    } catch (const std::exception&) {
      exhausted_ = true;  // unreadable documents of an unsendable request: nothing to add
    }
    if (!request) break;
    Response response;
    response.envelope.type = type_;
    response.envelope.status = {code, message, "", ""};
    deliver(std::move(response));
  }
  exhausted_ = true;
}

void RequestStream::maybe_finish() {
  if (finished_ || !exhausted_ || in_flight_ > 0 || delivering_ > 0 || waiting_) return;
  finished_ = true;
  if (options_.on_finished) options_.on_finished();
}

void StreamScheduler::resume() {
  if (waiting_.empty() || resuming_) return;
  resuming_ = true;
  std::deque<std::shared_ptr<RequestStream>> batch;
  batch.swap(waiting_);
  while (!batch.empty()) {
    std::shared_ptr<RequestStream> stream = std::move(batch.front());
    batch.pop_front();
    try {
      stream->resume();  // may wait again (appended to waiting_)
    } catch (...) {
      // A callback threw: the streams not yet resumed keep their place.
      for (auto& rest : batch) waiting_.push_back(std::move(rest));
      resuming_ = false;
      throw;
    }
  }
  resuming_ = false;
}

}  // namespace jflow::detail
