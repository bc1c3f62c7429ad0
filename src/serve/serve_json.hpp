// JSON for the HTTP endpoint (nlohmann-json stays inside serve_json.cpp): reading a query body,
// writing replies and the server's status. Shapes are in docs/SERVING.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/flow.hpp"
#include "serve/serve_server.hpp"

namespace jflow::serve {

// A body the server cannot use: the message names the field ("docs[2].tags.year: expected a
// number, string, bool or null, got array").
class JsonError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HttpQuery {
  std::vector<Document> docs;
  std::int64_t top_k = 0;          // > 0: sent as parameters.top_k
  std::size_t request_size = 100;  // documents per flow request
};

// {"data": ["text", ...]} or {"docs": [{"id", "text", "tags"}, ...]}, with optional "top_k" and
// "request_size" (positive integers). Unknown keys are errors. Throws JsonError.
HttpQuery parse_query(std::string_view body);

// The documents of all responses, in order, with one status: ok, or the first failure.
std::string responses_json(const std::vector<Response>& responses);
std::string status_json(const ServerStatus& status);
// /readyz and /health: {"ready": true, "state": "running"}, or with "pods" (those that cannot
// serve: name, peas, peas_alive, why) and "why" when not ready.
std::string readiness_json(const ServerStatus& status);
std::string error_json(std::string_view code, std::string_view message);

}  // namespace jflow::serve
