// ControlChannel: sends and receives ControlMessages on a control socket — the orchestrator's
// ROUTER (frames [pea id | payload]) or a pea's DEALER (frames [payload]).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "jflow/codec.hpp"

namespace jflow {

// Sends from a pea (DEALER).
void send_control(zmq::socket_t& dealer, const ControlMessage& message);
// Sends from the orchestrator (ROUTER) to the pea named message.pea. Returns false when that pea
// is not connected (ROUTER_MANDATORY makes this visible instead of a silent drop).
bool send_control_to(zmq::socket_t& router, const ControlMessage& message);

// Receives without blocking; nullopt when nothing is waiting. Throws DecodeError for a malformed
// message (the frames are consumed, so the next call reads the next message).
std::optional<ControlMessage> try_recv_control(zmq::socket_t& socket, bool from_router);

// A field of a received message, or `fallback` when it is missing or of another type (control
// messages come from other processes: a field is read, never trusted to be there).
std::string text_field(const ControlMessage& message, const std::string& key,
                       const std::string& fallback = "");
std::int64_t integer_field_or(const ControlMessage& message, const std::string& key,
                              std::int64_t fallback);

}  // namespace jflow
