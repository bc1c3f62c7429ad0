// The msgpack codec for envelopes, bodies and control messages (format: docs/PROTOCOL.md).
// Decoders never trust their input: every malformed input — truncated or trailing bytes, wrong
// msgpack types, absurd declared sizes, an unknown protocol version, an array whose byte size does
// not match dtype x shape — throws DecodeError saying what is wrong and where (a path such as
// "body.docs[2].embedding.shape"), and never reads out of bounds or allocates by a declared size.
// Thread-safety: all functions are pure; call them from any thread.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/envelope.hpp"
#include "jflow/request.hpp"
#include "jflow/value.hpp"

namespace jflow {

class DecodeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Limits that bound what a decoder will accept, so a hostile size field cannot exhaust memory.
struct DecodeLimits {
  std::size_t max_depth = 32;              // nesting of chunks/matches
  std::size_t max_docs = 1u << 20;         // documents in one list
  std::size_t max_array_dims = 32;         // entries in an array shape
  std::size_t max_map_entries = 1u << 16;  // tags, parameters
};

std::string encode_envelope(const Envelope& envelope);
// The same into `out` (replacing its contents): a buffer kept across calls keeps its capacity, so
// the per-request path of a pea or gateway allocates nothing for it.
void encode_envelope_into(const Envelope& envelope, std::string& out);
Envelope decode_envelope(std::string_view bytes, const DecodeLimits& limits = {});

// The body holds the documents and parameters; the request type lives in the envelope, so
// decode_body leaves `type` at its default and the caller sets it from the envelope.
std::string encode_body(const Request& request);
// Same, into `out` (cleared first): a caller that keeps `out` reuses its room.
void encode_body_into(const Request& request, std::string& out);
Request decode_body(std::string_view bytes, const DecodeLimits& limits = {});

// Control-plane message between the orchestrator and a pea (ready, heartbeat, status, terminate …).
struct ControlMessage {
  std::string command;
  std::string pea;
  ValueMap fields;
  std::vector<std::string> endpoints;
  bool operator==(const ControlMessage&) const = default;
};
std::string encode_control(const ControlMessage& message);
ControlMessage decode_control(std::string_view bytes, const DecodeLimits& limits = {});

}  // namespace jflow
