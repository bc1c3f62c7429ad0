// A tcp pea binds on its host's address; a name (a Kubernetes headless Service, an /etc/hosts
// entry), which libzmq cannot bind, is resolved first, and one that does not resolve is named.
#include <catch2/catch.hpp>

#include <zmq.hpp>

#include "net/endpoint.hpp"

using Catch::Contains;

TEST_CASE("bind_any binds a host name by its address", "[net][bind]") {
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::pull);
  socket.set(zmq::sockopt::linger, 0);
  const std::string endpoint = jflow::bind_any(socket, jflow::Transport::tcp, "localhost", "");
  // localhost may resolve to 127.0.0.1 or ::1; either is an address, with the port picked.
  const bool v4 = endpoint.rfind("tcp://127.0.0.1:", 0) == 0;
  const bool v6 = endpoint.rfind("tcp://[::1]:", 0) == 0;
  CHECK((v4 || v6));
  CHECK(endpoint.back() != '*');
  // And what was bound is reachable.
  zmq::socket_t sender(context, zmq::socket_type::push);
  sender.set(zmq::sockopt::linger, 0);
  sender.connect(endpoint);
  sender.send(zmq::str_buffer("hi"), zmq::send_flags::none);
  zmq::message_t got;
  socket.set(zmq::sockopt::rcvtimeo, 5000);
  REQUIRE(socket.recv(got));
  CHECK(got.to_string() == "hi");
}

TEST_CASE("bind_any names a host that does not resolve", "[net][bind][bad-input]") {
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::pull);
  socket.set(zmq::sockopt::linger, 0);
  try {
    jflow::bind_any(socket, jflow::Transport::tcp, "no-such-host.invalid", "");
    FAIL("bound on a name that does not resolve");
  } catch (const std::runtime_error& error) {
    CHECK_THAT(error.what(), Contains("no-such-host.invalid") && Contains("does not resolve"));
  }
}
