// CURVE on jflow's links (RFC 26 CurveZMQ: every message encrypted, both ends authenticated).
// Two kinds of link use it:
// - A flow's own links, when the flow sets `curve:`. The orchestrator makes a fresh key pair for
//   the run, the session, and hands it to each pea over a channel that is itself protected (the
//   `configure` message over the encrypted control link; the environment of a process pea; the
//   daemon's encrypted link for a pea on another host). Every tcp or ipc socket of the flow is a
//   CURVE server (the side that binds) or client (the side that connects) with the session keys,
//   so a peer that was not given the session cannot complete a handshake: the server's public key
//   is needed to even say hello, and it only ever travels encrypted. inproc links have no
//   handshake and need none: they never leave the process.
// - The link from an orchestrator to a `jflow daemon`: long-lived key pairs from `jflow keygen`;
//   the daemon accepts only the orchestrator keys it lists (see zap_authenticator.hpp).
#pragma once

#include <optional>
#include <string>

#include <zmq.hpp>

#include "jflow/curve_keys.hpp"

namespace jflow {

// The binding side: sockets that bind (PULL inputs, ROUTERs) before they bind.
void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& own);
// The connecting side, before it connects; `server_public` is the key of the side it connects to.
void make_curve_client(zmq::socket_t& socket, const CurveKeyPair& own,
                       const std::string& server_public);

// A flow's session on one socket: nothing without a session (a flow without `curve:`).
void secure_binding_side(zmq::socket_t& socket, const std::optional<CurveKeyPair>& session);
void secure_connecting_side(zmq::socket_t& socket, const std::optional<CurveKeyPair>& session);

// How a process pea receives the session before its first connect: an environment variable,
// which other users cannot read (/proc/PID/environ is private to the owner), unlike argv.
inline constexpr const char* kCurveSessionEnv = "JFLOW_CURVE_SESSION";
std::string curve_session_env_value(const CurveKeyPair& session);  // "PUBLIC SECRET"
// Reads the session from the environment and removes it there (children need not see it).
// nullopt when unset; throws std::runtime_error when it is malformed.
std::optional<CurveKeyPair> take_curve_session_from_env();

}  // namespace jflow
