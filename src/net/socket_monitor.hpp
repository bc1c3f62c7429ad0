// Reading libzmq's socket monitor without blocking: the only place libzmq reports a refused CURVE
// handshake. Private to jflow_core (the daemon and the orchestrator's daemon links use it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <zmq.hpp>

namespace jflow::detail {

struct MonitorEvent {
  std::uint16_t event = 0;  // ZMQ_EVENT_…
  std::uint32_t value = 0;  // for a failed handshake: the error or the ZAP status code
};

// Starts monitoring `socket` for `events` and connects `reader` (a PAIR) to the monitor.
void monitor_socket(zmq::socket_t& socket, zmq::socket_t& reader, const std::string& name,
                    int events);
// The next event waiting on `reader`, or nullopt.
std::optional<MonitorEvent> next_monitor_event(zmq::socket_t& reader);

}  // namespace jflow::detail
