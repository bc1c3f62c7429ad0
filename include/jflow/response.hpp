// Response: how a request ended, as a Flow, an AsyncFlow or a Client hands it back — the reply's
// envelope (status, route with timings, request id) and the documents as the last pod left them.
#pragma once

#include <functional>

#include "jflow/envelope.hpp"
#include "jflow/request.hpp"

namespace jflow {

struct Response {
  Envelope envelope;
  Request request;  // the documents as the last pod left them (empty on error)
  bool ok() const { return envelope.status.ok(); }
  const Status& status() const { return envelope.status; }
};

using ResponseCallback = std::function<void(Response&&)>;

}  // namespace jflow
