#include "net/endpoint.hpp"

#include "control/daemon_protocol.hpp"
#include "net/ipc_folder.hpp"

namespace jflow {

std::string bind_any(zmq::socket_t& socket, Transport transport, const std::string& host,
                     const std::string& unique_name) {
  switch (transport) {
    case Transport::inproc: {
      std::string endpoint = "inproc://" + unique_name;
      socket.bind(endpoint);
      return endpoint;
    }
    case Transport::ipc: {
      // A path in this process's private folder, not libzmq's "ipc://*" (net/ipc_folder.hpp).
      std::string endpoint = next_ipc_endpoint();
      socket.bind(endpoint);
      return endpoint;
    }
    case Transport::tcp:
      socket.bind("tcp://" + host + ":*");
      break;
  }
  return socket.get(zmq::sockopt::last_endpoint);
}

void set_link_heartbeats(zmq::socket_t& socket) {
  using std::chrono::milliseconds;
  const auto ms = [](auto duration) {
    return static_cast<int>(std::chrono::duration_cast<milliseconds>(duration).count());
  };
  socket.set(zmq::sockopt::heartbeat_ivl, ms(daemon_protocol::kLinkPing));
  socket.set(zmq::sockopt::heartbeat_timeout, ms(daemon_protocol::kLinkTimeout));
  socket.set(zmq::sockopt::heartbeat_ttl, ms(daemon_protocol::kLinkTimeout));
}

void set_common_options(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::reconnect_ivl, 10);
}

}  // namespace jflow
