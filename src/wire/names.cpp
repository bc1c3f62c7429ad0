// Names of request types and status codes, as they appear in logs, YAML, HTTP/JSON and docs.
// The wire carries the numeric values (docs/PROTOCOL.md); these strings are for people.
#include <array>
#include <string_view>

#include "jflow/envelope.hpp"
#include "jflow/request.hpp"

namespace jflow {

namespace {

// Indexed by the enum's numeric value, which is also its wire value.
constexpr std::array<std::string_view, 4> kRequestTypeNames{"index", "search", "train", "control"};
constexpr std::array<std::string_view, 6> kStatusCodeNames{"ok",       "error",       "timeout",
                                                           "pea_lost", "bad_request", "closed"};

}  // namespace

std::string_view request_type_name(RequestType type) {
  auto index = static_cast<std::size_t>(type);
  return index < kRequestTypeNames.size() ? kRequestTypeNames[index] : "unknown";
}

std::optional<RequestType> parse_request_type(std::string_view name) {
  for (std::size_t i = 0; i < kRequestTypeNames.size(); ++i) {
    if (kRequestTypeNames[i] == name) return static_cast<RequestType>(i);
  }
  return std::nullopt;
}

std::string_view status_code_name(StatusCode code) {
  auto index = static_cast<std::size_t>(code);
  return index < kStatusCodeNames.size() ? kStatusCodeNames[index] : "unknown";
}

}  // namespace jflow
