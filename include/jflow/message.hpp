// Message: a request as it moves through one pea — the decoded envelope plus the body frame.
// The body stays as the bytes that arrived until a driver asks for request(); a pea that only
// routes therefore forwards the body frame without decoding or copying it.
//
// A joined message (a pod that needs several pods, or the tail of a polling-all pod) holds every
// part's body. A merge driver reads them with parts() and sets the result with set_request();
// if none does, request() merges by concatenating the parts' documents (in order of the sending
// pea's name). Thread-safety: owned by one pea loop at a time; not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
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
  // A request as it arrived on the wire: the envelope frame is checked whole and decoded but for
  // its routes, which are decoded from the frame kept here the first time anyone asks for
  // envelope(); a pea that only forwards never does (throws DecodeError).
  static Message arrived(zmq::message_t&& envelope_frame, zmq::message_t&& body);
  // The same, made in place in `out` (which it replaces), for a pea's loop: a Message is large,
  // and moving one costs some 200 instructions on every hop. `out` is left empty when the
  // envelope does not decode (throws DecodeError).
  static void arrive_into(std::optional<Message>& out, zmq::message_t&& envelope_frame,
                          zmq::message_t&& body);

  Envelope& envelope() {
    decode_routes();
    envelope_changed_ = true;
    return envelope_;
  }
  const Envelope& envelope() const {
    decode_routes();
    return envelope_;
  }
  // The envelope without decoding its routes: every field but `routes` is right; `routes` may
  // still be empty.
  const Envelope& envelope_header() const {
    make_texts();
    return envelope_;
  }
  // Less still, for the pea's own reads on every hop: version, type, deadline and status are
  // right; request_id, traceparent and routes may be empty (they may still be in the frame).
  const Envelope& envelope_core() const { return envelope_; }
  // The request id, without making a string of it (a view into the frame, or into the envelope;
  // valid until the message changes).
  std::string_view request_id() const;
  // Whether the envelope may have changed since the message was made: true once anyone asked
  // for it mutably. A pea that sees false forwards the envelope bytes it received with only its
  // own route appended, instead of encoding the envelope again.
  bool envelope_changed() const { return envelope_changed_; }

  // The pea's own hop, appended to the routes (held aside while the routes are still in the
  // frame), and the last hop of the routes, for the pea to set its end time.
  void add_route(Route route);
  Route& last_route();
  // When the envelope arrived as a frame and nothing but the route added since has changed it:
  // writes that frame's bytes with the route appended to `out` and returns true (no re-encoding).
  // `out` is made the exact size, and written in place.
  bool forward_envelope_into(zmq::message_t& out) const;
  // The envelope frame to send the message on with: forward_envelope_into's when it can, else
  // the envelope encoded afresh.
  zmq::message_t envelope_to_send() const;

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
  // arrive_into() makes a message in a std::optional, which needs a public constructor; only
  // Message can name the key to it.
  struct ArrivalKey {
    explicit ArrivalKey() = default;
  };

 public:
  explicit Message(ArrivalKey) {}  // an empty message, for arrive_into() to decode into

 private:
  void decode_routes() const;  // from envelope_frame_, when they are still there
  void make_texts() const;     // request_id and traceparent, from envelope_frame_ when there

  // mutable: the routes are decoded from the kept frame inside const accessors (the message is
  // owned by one pea loop at a time; see the top of this file).
  mutable Envelope envelope_;
  mutable zmq::message_t envelope_frame_;
  mutable bool routes_in_frame_ = false;
  mutable bool texts_in_frame_ = false;       // request_id and traceparent not yet made
  mutable std::optional<Route> added_route_;  // add_route()'s, while the routes are in the frame
  // Where the routes are in envelope_frame_ (the wire's EnvelopeLayout).
  std::size_t routes_at_ = 0, routes_header_ = 0, routes_end_ = 0;
  std::uint32_t routes_count_ = 0;
  std::size_t request_id_at_ = 0,
              request_id_size_ = 0;  // in envelope_frame_, while texts_in_frame_
  std::size_t traceparent_at_ = 0, traceparent_size_ = 0;
  zmq::message_t body_;
  std::vector<zmq::message_t> part_bodies_;
  std::optional<Request> decoded_;
  bool envelope_changed_ = false;
};

}  // namespace jflow
