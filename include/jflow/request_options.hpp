// RequestOptions: how a client call (Flow::index, AsyncFlow::search_lines, …) turns its documents
// into requests and what it calls back with the replies — modelled on Jina's request_size,
// prefetch and on_done / on_error / on_always.
//
//   jflow::RequestOptions options;
//   options.request_size = 10;   // 10 documents per request
//   options.prefetch = 4;        // at most 4 of this call's requests in flight
//   options.timeout = 2s;        // per request
//   options.on_done = [](const jflow::Response& r) { /* r.request.docs */ };
//   options.on_error = [](const jflow::Response& r) { /* r.status(): code, pod, message */ };
//   flow.index_lines("corpus.txt", options);
//
// Every request the call makes ends exactly once: on_done (status ok) or on_error (any other
// status: a driver error, timeout, pea lost, flow closed), then on_always. A request that could
// not be sent because the flow closed first ends with status `closed`; documents that could not be
// read end the call with one `bad_request` response naming the reason ("client" as the pod).
// on_finished runs once, after the last request's callbacks.
#pragma once

#include <cstddef>
#include <functional>

#include "jflow/duration.hpp"
#include "jflow/value.hpp"

namespace jflow {

struct Response;
using ResultCallback = std::function<void(const Response&)>;

struct RequestOptions {
  // Documents per request (Jina's default, 100); the last request takes what is left. Must be >0.
  std::size_t request_size = 100;
  // At most this many of the call's requests in flight; the next one is built and sent when one
  // ends. 0: as many as the flow's max_in_flight allows (still bounded: never a queue).
  std::size_t prefetch = 0;
  // Deadline per request, counted from when it is sent. Zero: the spec's request_timeout.
  Duration timeout = Duration::zero();
  ValueMap parameters;  // sent with every request, e.g. {"top_k", std::int64_t{10}}

  ResultCallback on_done;   // status ok
  ResultCallback on_error;  // any other status
  ResultCallback on_always;
  std::function<void()> on_finished;  // every request of the call has ended
};

}  // namespace jflow
