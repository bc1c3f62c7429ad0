// Request: what a caller asks a flow to do — its type, the documents, and parameters such as top_k.
// The type travels in the envelope; documents and parameters travel in the body frame.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "jflow/document.hpp"
#include "jflow/value.hpp"

namespace jflow {

enum class RequestType : std::uint8_t { index = 0, search = 1, train = 2, control = 3 };

std::string_view request_type_name(RequestType type);
std::optional<RequestType> parse_request_type(std::string_view name);

struct Request {
  RequestType type = RequestType::index;
  std::vector<Document> docs;
  ValueMap parameters;  // e.g. {"top_k": 10}
  // W3C trace context to follow this request by (docs/PROTOCOL.md, "Trace context"); travels in
  // the envelope, like the type. Empty: the flow makes a new one. Malformed: the request ends
  // with bad_request naming the traceparent.
  std::string traceparent;

  bool operator==(const Request&) const = default;
};

}  // namespace jflow
