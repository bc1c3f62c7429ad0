// W3C trace context (https://www.w3.org/TR/trace-context/): the `traceparent` a request carries
// in its envelope so that one request can be followed across peas and hosts. jflow accepts one
// from its callers (an HTTP header, an envelope field from a ZeroMQ client, Request::traceparent
// from the C++ API), makes one when none is given, and returns it with the reply unchanged.
//
//   00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//   version-trace id (32 hex)-parent id (16 hex)-flags (2 hex)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jflow {

// Why `text` is not a traceparent jflow accepts (version 00, lowercase hex, trace and parent
// ids not all zeros), or nullopt when it is one.
std::optional<std::string> traceparent_problem(std::string_view text);

// A fresh traceparent: random trace and parent ids, flags 01 (sampled).
std::string new_traceparent();

// The trace id of a valid traceparent (its 32 hex digits), what log lines print; empty for "".
std::string_view trace_id(std::string_view traceparent);

}  // namespace jflow
