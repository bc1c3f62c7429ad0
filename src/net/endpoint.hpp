// Binding data sockets without picking ports: every pea binds port 0 (tcp), a path in its
// process's private folder (ipc, net/ipc_folder.hpp) or a unique name (inproc), then reads back the
// endpoint it really got and reports that.
#pragma once

#include <string>

#include <zmq.hpp>

#include "jflow/flow_spec.hpp"

namespace jflow {

// Binds `socket` on `transport` and returns the concrete endpoint peers should connect to.
// `unique_name` names inproc endpoints (inproc has no wildcard); it must be unique per context.
std::string bind_any(zmq::socket_t& socket, Transport transport, const std::string& host,
                     const std::string& unique_name);

// Options every jflow socket gets: no linger on close (delivery is proven by replies, not by
// linger), a short reconnect interval so a connect that races a bind costs milliseconds, and a
// TCP connect timeout (2 s) so a connect to an address nobody holds any more (a pod
// recreated at another IP) gives up and resolves the host name again, instead of waiting out
// the kernel's SYN retries (about two minutes).
void set_common_options(zmq::socket_t& socket);

// ZMTP heartbeats for a link between an orchestrator and a daemon (jflow/daemon_protocol.hpp):
// libzmq's I/O thread pings the peer and closes the connection when it stops answering.
void set_link_heartbeats(zmq::socket_t& socket);

}  // namespace jflow
