#include "jflow/endpoint.hpp"

namespace jflow {

std::string bind_any(zmq::socket_t& socket, Transport transport, const std::string& host,
                     const std::string& unique_name) {
  switch (transport) {
    case Transport::inproc: {
      std::string endpoint = "inproc://" + unique_name;
      socket.bind(endpoint);
      return endpoint;
    }
    case Transport::ipc:
      socket.bind("ipc://*");
      break;
    case Transport::tcp:
      socket.bind("tcp://" + host + ":*");
      break;
  }
  return socket.get(zmq::sockopt::last_endpoint);
}

void set_common_options(zmq::socket_t& socket) {
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::reconnect_ivl, 10);
}

}  // namespace jflow
