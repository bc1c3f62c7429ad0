// Appending a pea's route to an envelope as bytes. A pea that changed nothing else forwards the
// bytes it received with the routes' array header rewritten and its own route inserted after the
// last one (before the optional traceparent that may follow the routes), instead of encoding the
// whole envelope again (the envelope is re-encoded on every hop otherwise: see docs/PROTOCOL.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "jflow/codec.hpp"

namespace jflow::detail {

// Where an encoded envelope's routes array begins, and how long its header is, found while
// decoding it.
struct EnvelopeLayout {
  std::size_t routes_at = 0;      // offset of the routes array header
  std::size_t routes_header = 0;  // its length in bytes (1, 3 or 5)
  std::uint32_t routes = 0;       // the routes it holds
  std::size_t routes_end = 0;     // offset just past the last route (what follows: traceparent)
  // Where the request id's and the traceparent's bytes are (size 0: empty or absent), for a
  // reader that keeps them as views into the frame.
  std::size_t request_id_at = 0, request_id_size = 0;
  std::size_t traceparent_at = 0, traceparent_size = 0;
};

// decode_envelope, also reporting the layout of `bytes`.
Envelope decode_envelope(std::string_view bytes, EnvelopeLayout& layout);

// The same checks as decode_envelope, but the routes, the request id and the traceparent are only
// checked, not kept: in `out` they stay empty, and `layout` says where they are. What a pea
// reads of a request it forwards (Message makes the rest from the bytes if anyone asks for them):
// no string or vector is made for them on every hop.
// Decodes into `out`, which must be fresh (default-constructed).
void decode_envelope_header_into(std::string_view bytes, EnvelopeLayout& layout, Envelope& out);

// The envelope `bytes` (decoded with `layout`) with `route` appended: bytes that decode equal to
// the decoded envelope with the route pushed back, and equal to encoding that envelope when
// `bytes` were encoded by jflow. In two steps, so that the caller owns the buffer (a pea writes
// straight into the frame it sends): the size of the result, then the result written to `out`,
// which holds that many bytes.
std::size_t size_with_route(std::string_view bytes, const EnvelopeLayout& layout,
                            const Route& route);
void append_route_to(std::string_view bytes, const EnvelopeLayout& layout, const Route& route,
                     char* out);

}  // namespace jflow::detail
