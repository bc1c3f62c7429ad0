// The credit messages of a parallel pod: what a replica tells its head, on the replica's DEALER
// to the head's ROUTER, which sees the replica's routing id (its pea name) before two frames:
//   [credit | N]            once connected: the head may hand it N requests at once (N decimal)
//   [done | request_id]     it has sent request_id on: the head drops its copy, one more credit
// The head sends a replica requests only while it has credit, and holds a copy of each until the
// replica says done, so a replica that dies loses nothing (docs/PROTOCOL.md, section 6).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <zmq.hpp>

namespace jflow::credit {

inline constexpr std::string_view kCredit = "credit";
inline constexpr std::string_view kDone = "done";

using Frames = std::array<zmq::message_t, 2>;

inline Frames credit_message(std::int64_t window) {
  return {zmq::message_t(kCredit), zmq::message_t(std::to_string(window))};
}
inline Frames done_message(std::string_view request_id) {
  return {zmq::message_t(kDone), zmq::message_t(request_id)};
}

// A report as the head reads it. `request_id` views the frame it came in.
struct Report {
  enum class Kind { credit, done };
  Kind kind = Kind::done;
  std::int64_t credit = 0;  // credit: how many requests more
  std::string_view request_id;
};

// Reads the two frames after the routing id. Throws DecodeError naming what is wrong: an unknown
// kind, or a credit that is not a count (digits only).
Report read_report(const zmq::message_t& kind, const zmq::message_t& value);

}  // namespace jflow::credit
