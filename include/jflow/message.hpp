// Message: a request as it moves through one pea — the decoded envelope plus the body frame.
// The body stays as the bytes that arrived until a driver asks for request(); a pea that only
// routes therefore forwards the body frame without decoding or copying it.
//
// A joined message (a pod that needs several pods, or the tail of a polling-all pod) holds every
// part's body. A merge driver reads them with parts() and sets the result with set_request();
// if none does, request() merges by concatenating the parts' documents (in order of the sending
// pea's name). Thread-safety: owned by one pea loop at a time; not shared.
#pragma once

#include <optional>
#include <vector>

#include <zmq.hpp>

#include "jflow/envelope.hpp"
#include "jflow/request.hpp"

namespace jflow {

class Message {
 public:
  Message(Envelope envelope, zmq::message_t body);
  // A joined message: `envelope` already merged (routes of every part, first error status).
  Message(Envelope envelope, std::vector<zmq::message_t> part_bodies);

  Envelope& envelope() {
    envelope_changed_ = true;
    return envelope_;
  }
  const Envelope& envelope() const { return envelope_; }
  // Whether the envelope may have changed since the message was made: true once anyone asked
  // for it mutably. A pea that sees false forwards the envelope bytes it received with only its
  // own route appended, instead of encoding the envelope again.
  bool envelope_changed() const { return envelope_changed_; }

  // Decodes the body on first use (throws DecodeError); the request's type comes from the envelope.
  // Once decoded, take_body() re-encodes it, so drivers may change documents in place.
  Request& request();
  bool body_decoded() const { return decoded_.has_value(); }

  bool joined() const { return !part_bodies_.empty(); }
  // Each part's request, decoded (throws DecodeError). Empty for a message that is not joined.
  std::vector<Request> parts() const;
  // Replaces the body with `request` (e.g. a merge of parts()).
  void set_request(Request request);

  // The body frame to send on: the original bytes when never decoded, else a fresh encoding.
  zmq::message_t take_body();

 private:
  Envelope envelope_;
  zmq::message_t body_;
  std::vector<zmq::message_t> part_bodies_;
  std::optional<Request> decoded_;
  bool envelope_changed_ = false;
};

}  // namespace jflow
