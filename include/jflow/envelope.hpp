// Envelope: the small header frame every pea reads and rewrites — id, type, deadline, status,
// routes. Routing peas touch only the envelope and forward the body frame unopened (see
// docs/PROTOCOL.md).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/request.hpp"

namespace jflow {

inline constexpr std::uint32_t kProtocolVersion = 1;

enum class StatusCode : std::uint8_t {
  ok = 0,
  error = 1,        // a driver or executor threw; message says what
  timeout = 2,      // the deadline passed before the request finished
  pea_lost = 3,     // a pea that held the request died or stopped answering
  bad_request = 4,  // the request could not be decoded or was refused
  closed = 5,       // the flow was closing or closed
};
std::string_view status_code_name(StatusCode code);

struct Status {
  StatusCode code = StatusCode::ok;
  std::string message;
  std::string pod;       // which pod set this status
  std::string executor;  // which driver/executor inside the pod, if any

  bool ok() const { return code == StatusCode::ok; }
  bool operator==(const Status&) const = default;
};

// One hop of a request: which pod and pea handled it and when (unix time, nanoseconds).
struct Route {
  std::string pod;
  std::string pea;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  bool operator==(const Route&) const = default;
};

struct Envelope {
  std::uint32_t version = kProtocolVersion;
  std::string request_id;
  RequestType type = RequestType::index;
  std::int64_t deadline_ns = 0;  // absolute unix time in ns; 0 = no deadline
  Status status;
  std::vector<Route> routes;
  // W3C trace context ("00-<trace id>-<parent id>-<flags>"), carried unchanged from the caller
  // to the reply; empty only in envelopes from before it existed (docs/PROTOCOL.md).
  std::string traceparent;

  bool operator==(const Envelope&) const = default;
};

}  // namespace jflow
