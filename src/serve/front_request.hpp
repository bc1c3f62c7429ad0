// What a client's multipart message on the served ZeroMQ front asks for, decoded without a socket
// (so the fuzz target fuzz/fuzz_serve_front.cpp reads a whole request exactly as the front does).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "jflow/envelope.hpp"
#include "jflow/request.hpp"

namespace jflow::serve {

struct FrontRequest {
  // Salvaged whenever the first frame is an envelope, so that even a refusal is matched.
  std::string request_id;
  RequestType type = RequestType::index;
  std::int64_t deadline_ns = 0;
  std::string traceparent;         // as the client sent it (empty: none)
  std::optional<Request> request;  // unset: refused, and `refusal` says why
  std::string refusal;
};

// `payload`: the frames after the client's routing id, expected [envelope | body].
FrontRequest read_front_request(std::span<const std::string_view> payload);

}  // namespace jflow::serve
