// RequestStream: one client call (index, search_lines, index_ndarray, …) running on an AsyncFlow.
// It pulls documents from its source, packs request_size of them per request and keeps at most
// `prefetch` requests in flight: the next request is built only when one ends (or when the flow
// has room again), so back-pressure reaches the source instead of growing a queue.
// StreamScheduler holds the streams that wait for room in the flow (max_in_flight reached by all
// callers together) and resumes them at the end of process(), where requests have just ended.
// Private to jflow_core.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "jflow/async_flow.hpp"
#include "jflow/document_source.hpp"
#include "jflow/request_options.hpp"

namespace jflow::detail {

class StreamScheduler;

class RequestStream : public std::enable_shared_from_this<RequestStream> {
 public:
  // `sink` (may be empty) receives each response last, by value: the blocking Flow collects them.
  RequestStream(AsyncFlow& flow, StreamScheduler& scheduler, RequestType type,
                DocumentSource source, RequestOptions options, ResponseCallback sink);

  // Sends what prefetch and the flow allow. `first` is the call itself: errors then propagate to
  // the caller (nothing was sent); later they end the remaining requests through the callbacks.
  void pump(bool first = false);
  // Called by the scheduler: the stream no longer waits for room; pump again.
  void resume();

 private:
  std::optional<Request> next_request();  // up to request_size documents; nullopt at the end
  void on_reply(Response&& response);
  void deliver(Response&& response);
  // Ends every request not yet sent with `code` (their documents are never sent).
  void end_unsent(StatusCode code, const std::string& message);
  void maybe_finish();

  AsyncFlow& flow_;
  StreamScheduler& scheduler_;
  RequestType type_;
  DocumentSource source_;
  RequestOptions options_;
  ResponseCallback sink_;
  std::size_t limit_;  // in flight at most: prefetch, or unlimited (the flow's capacity decides)
  std::size_t in_flight_ = 0;
  std::size_t delivering_ = 0;  // callbacks running: on_finished must wait for them
  bool exhausted_ = false;      // the source has no more documents (or failed)
  bool waiting_ = false;        // queued in the scheduler for room in the flow
  bool sent_any_ = false;
  bool finished_ = false;
};

class StreamScheduler {
 public:
  void wait_for_room(std::shared_ptr<RequestStream> stream) {
    waiting_.push_back(std::move(stream));
  }
  // Pumps the waiting streams (each waits again if the flow is still full).
  void resume();
  bool resuming() const { return resuming_; }

 private:
  std::deque<std::shared_ptr<RequestStream>> waiting_;
  bool resuming_ = false;
};

}  // namespace jflow::detail
