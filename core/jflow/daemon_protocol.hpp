// The link between an orchestrator (a DEALER per daemon) and a `jflow daemon` (a ROUTER), in
// ControlMessages; the pea a message is about is in the field "pea".
//   orchestrator → launch {pea, control, flow, curve_session?}
//   daemon → launched {pea, pid}  or  launch_failed {pea, message}
//   daemon → log {pea, line}       a line the pea printed (stdout and stderr)
//   daemon → exited {pea, how}     the pea process ended ("exited", "killed by signal 9 …")
//   orchestrator → kill {pea}      SIGKILL, for a pea that did not stop when told
//   orchestrator → bye             the flow closed: the daemon kills whatever is left of it
//   both → heartbeat every kDaemonHeartbeat; each gives up on the other after kDaemonSilence:
//   the daemon kills the peas of an orchestrator that went silent, the orchestrator fails the
//   peas of a daemon that went silent, naming its host.
// With `curve:` the link is CURVE: the daemon's ZAP handler accepts only listed orchestrator keys.
#pragma once

#include <chrono>

namespace jflow::daemon_protocol {

inline constexpr const char* kLaunch = "launch";
inline constexpr const char* kLaunched = "launched";
inline constexpr const char* kLaunchFailed = "launch_failed";
inline constexpr const char* kLog = "log";
inline constexpr const char* kExited = "exited";
inline constexpr const char* kKill = "kill";
inline constexpr const char* kBye = "bye";
inline constexpr const char* kHeartbeat = "heartbeat";

// Where `jflow daemon` listens unless told otherwise, and what `host: ADDR` means without a port.
inline constexpr int kDefaultDaemonPort = 45600;

inline constexpr auto kDaemonHeartbeat = std::chrono::milliseconds(200);
inline constexpr auto kDaemonSilence = std::chrono::seconds(3);

}  // namespace jflow::daemon_protocol
