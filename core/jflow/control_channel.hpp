// ControlChannel: sends and receives ControlMessages on a control socket — the orchestrator's
// ROUTER (frames [pea id | payload]) or a pea's DEALER (frames [payload]).
#pragma once

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

}  // namespace jflow
