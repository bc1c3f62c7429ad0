// Message: a request as it moves through one pea — the decoded envelope plus the body frame.
// The body stays as the bytes that arrived until a driver asks for request(); a pea that only
// routes therefore forwards the body frame without decoding or copying it.
// Thread-safety: owned by one pea loop at a time; not shared.
#pragma once

#include <optional>

#include <zmq.hpp>

#include "jflow/envelope.hpp"
#include "jflow/request.hpp"

namespace jflow {

class Message {
 public:
  Message(Envelope envelope, zmq::message_t body);

  Envelope& envelope() { return envelope_; }
  const Envelope& envelope() const { return envelope_; }

  // Decodes the body on first use (throws DecodeError); the request's type comes from the envelope.
  // Once decoded, take_body() re-encodes it, so drivers may change documents in place.
  Request& request();
  bool body_decoded() const { return decoded_.has_value(); }

  // The body frame to send on: the original bytes when never decoded, else a fresh encoding.
  zmq::message_t take_body();

 private:
  Envelope envelope_;
  zmq::message_t body_;
  std::optional<Request> decoded_;
};

}  // namespace jflow
