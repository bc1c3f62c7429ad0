// ZapAuthenticator: the ZAP handler (RFC 27) that decides which CURVE clients a jflow daemon
// accepts. libzmq asks it, over inproc://zeromq.zap.01 of the daemon's context, about every
// CURVE handshake; it answers 200 for a client whose public key is listed and 400 otherwise,
// logging each refusal with the peer's address, so a wrong key never reaches the daemon's socket
// (let alone a pea). One per context; poll socket() and call handle() when it is readable.
#pragma once

#include <functional>
#include <set>
#include <string>

#include <zmq.hpp>

namespace jflow {

class ZapAuthenticator {
 public:
  using Log = std::function<void(const std::string&)>;
  // `allowed`: Z85 public keys.
  ZapAuthenticator(zmq::context_t& context, std::set<std::string> allowed, Log log);
  zmq::socket_t& socket() { return socket_; }
  // Answers every request waiting.
  void handle();

 private:
  zmq::socket_t socket_;  // REP
  std::set<std::string> allowed_;
  Log log_;
};

}  // namespace jflow
