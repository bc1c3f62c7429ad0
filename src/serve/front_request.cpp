// read_front_request: the envelope and body of a request on the ZeroMQ front, or why not.
#include "serve/front_request.hpp"

#include "jflow/codec.hpp"

namespace jflow::serve {

FrontRequest read_front_request(std::span<const std::string_view> payload) {
  FrontRequest front;
  std::optional<Envelope> envelope;
  if (!payload.empty()) {
    try {
      envelope = decode_envelope(payload[0]);
      front.request_id = envelope->request_id;
      front.type = envelope->type;
      front.deadline_ns = envelope->deadline_ns;
      front.traceparent = envelope->traceparent;
    } catch (const DecodeError& e) {
      front.refusal = e.what();
    }
  }
  if (payload.size() != 2) {
    front.refusal = "expected 2 frames [envelope | body], got " + std::to_string(payload.size());
    return front;
  }
  if (!envelope) return front;
  try {
    front.request = decode_body(payload[1]);
  } catch (const DecodeError& e) {
    front.refusal = e.what();
    return front;
  }
  front.request->type = front.type;
  front.request->traceparent = front.traceparent;  // the gateway checks it
  return front;
}

}  // namespace jflow::serve
