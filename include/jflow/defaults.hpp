// Defaults that more than one part of jflow (and its documentation) states: written once, here.
#pragma once

#include <chrono>
#include <cstddef>

namespace jflow::defaults {

// Where `jflow daemon` listens unless told otherwise, and what `host: ADDR` means without a port.
inline constexpr int kDaemonPort = 45600;
// The endpoints of a served flow (`jflow run --serve`) unless --zmq / --http say otherwise.
inline constexpr const char* kServeZmqAddress = "tcp://127.0.0.1:45678";
inline constexpr const char* kServeHttpAddress = "127.0.0.1:45680";
// How long a WaitDriver holds each request when its `duration` is not given (Jina's WaitDriver).
inline constexpr std::chrono::seconds kWaitDuration{5};
inline constexpr const char* kWaitDurationText = "5s";
// Requests in flight at once unless the flow's `max_in_flight` says otherwise (FlowSpec,
// FlowOptions, `jflow run --max-in-flight`). Chosen by measurement: `jflow run` of a 3-pod pass
// chain gains nothing above it on a 2-core machine (bench/README.md, "max_in_flight").
inline constexpr std::size_t kMaxInFlight = 256;
// The largest `max_in_flight` accepted: more would only grow the queues of every socket on the way.
inline constexpr std::size_t kMaxInFlightLimit = 100000;

}  // namespace jflow::defaults
