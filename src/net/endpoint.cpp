#include "net/endpoint.hpp"

#include <netdb.h>
#include <sys/socket.h>

#include "control/daemon_protocol.hpp"
#include "net/ipc_folder.hpp"

namespace jflow {
namespace {

// libzmq binds an address or an interface name, never a DNS name ("No such device"). A pod's
// `host:` may be a name that resolves to this machine — a Kubernetes headless Service, an
// /etc/hosts entry — so a name libzmq refuses is resolved here, and its first address bound.
void bind_tcp(zmq::socket_t& socket, const std::string& host) {
  try {
    socket.bind("tcp://" + host + ":*");
    return;
  } catch (const zmq::error_t& error) {
    if (error.num() != ENODEV) throw;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    throw std::runtime_error("cannot bind on host '" + host +
                             "': it is neither an address nor an interface, and does not resolve");
  }
  char address[NI_MAXHOST] = {};
  const int named = ::getnameinfo(found->ai_addr, found->ai_addrlen, address, sizeof address,
                                  nullptr, 0, NI_NUMERICHOST);
  const bool v6 = found->ai_family == AF_INET6;
  ::freeaddrinfo(found);
  if (named != 0) throw std::runtime_error("cannot bind on host '" + host + "'");
  if (v6) socket.set(zmq::sockopt::ipv6, true);
  socket.bind(v6 ? "tcp://[" + std::string(address) + "]:*"
                 : "tcp://" + std::string(address) + ":*");
}

}  // namespace

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
      bind_tcp(socket, host);
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
  // A TCP handshake takes microseconds on a LAN and well under a second between regions; an
  // unanswered SYN means the address is gone (or cut off, which the heartbeats report).
  constexpr int kConnectTimeoutMs = 2000;
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::reconnect_ivl, 10);
  socket.set(zmq::sockopt::connect_timeout, kConnectTimeoutMs);
}

}  // namespace jflow
