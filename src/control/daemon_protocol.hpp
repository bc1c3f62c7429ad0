// The link between an orchestrator (a DEALER per daemon) and a `jflow daemon` (a ROUTER), in
// ControlMessages; the pea a message is about is in the field "pea".
//   orchestrator → launch {pea, control, flow, curve_session?, incarnation?, log_level, log_format}
//                                  (the pea logs as the orchestrator does; a daemon given no
//                                  log_level/log_format uses its own)
//   daemon → launched {pea, pid}  or  launch_failed {pea, message}
//                                  Every reply about a pea carries the launch's `incarnation` back
//                                  (1 for the first launch of a name, 2 for its first restart …),
//                                  so that news of a pea's earlier incarnation is told apart.
//   daemon → log {pea, line}       a line the pea printed (stdout and stderr)
//   daemon → exited {pea, how, code, detail}   the pea process ended: how is "exited" (code: its
//                                  exit code), "killed" (code: the signal) or "lost" (detail: why);
//                                  control/pea_end.hpp writes and reads these fields
//   orchestrator → kill {pea, incarnation?}   SIGKILL, for a pea that did not stop when told; a
//                                  kill for a pea the daemon does not run (it ended and was
//                                  reported, or the daemon restarted since) is answered
//                                  exited {how: lost}
//   orchestrator → bye             the flow closed: the daemon kills whatever is left of it
//   anyone admitted → ping         daemon → pong {orchestrators, peas}  (`jflow ping --daemon`)
//   daemon → heartbeat every kDaemonHeartbeat; the orchestrator fails the peas of a daemon
//   silent for kDaemonSilence, naming its host.
// The daemon does not judge an orchestrator by its messages: a Flow only runs while its owner
// polls it, and an application may well not poll for seconds. Both sockets run ZMTP heartbeats
// (PING/PONG, answered by libzmq's I/O thread whether or not the application polls), so the
// orchestrator's connection stays up exactly as long as its process and the network do; the daemon
// kills the peas of an orchestrator whose connection has been gone for --orchestrator-timeout.
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
inline constexpr const char* kPing = "ping";
inline constexpr const char* kPong = "pong";
inline constexpr const char* kIncarnation = "incarnation";

inline constexpr auto kDaemonHeartbeat = std::chrono::milliseconds(200);
inline constexpr auto kDaemonSilence = std::chrono::seconds(3);
// ZMTP heartbeats on the link: a connection whose peer has not answered for kLinkTimeout is closed.
inline constexpr auto kLinkPing = std::chrono::milliseconds(200);
inline constexpr auto kLinkTimeout = std::chrono::seconds(3);

}  // namespace jflow::daemon_protocol
