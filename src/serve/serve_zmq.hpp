// ZmqFront: the served flow's ZeroMQ endpoint, a ROUTER socket. Each client (a DEALER) sends the
// [envelope | body] frames of docs/PROTOCOL.md; the reply goes back to the same connection with
// the client's own request_id, so two clients may use the same ids. A message that does not
// decode gets a `bad_request` reply naming what is wrong (request_id "" when the envelope itself
// is unreadable); the server keeps serving.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <zmq.hpp>

#include "jflow/curve_keys.hpp"
#include "jflow/flow.hpp"
#include "net/zap_thread.hpp"

namespace jflow::serve {

class Server;

class ZmqFront {
 public:
  // Binds `address` (e.g. tcp://127.0.0.1:45678, tcp://127.0.0.1:* for any port). Throws
  // std::runtime_error naming the address when it cannot be bound.
  // With `key`, the endpoint speaks CURVE only and admits the client keys in `allowed` (a ZAP
  // handler on its own thread logs each refusal on stderr).
  // `reply_queue`, `max_message_bytes`, `requests_per_client`: ServeOptions::zmq_reply_queue,
  // zmq_max_message_bytes, zmq_requests_per_client.
  ZmqFront(Server& server, const std::string& address,
           const std::optional<CurveKeyPair>& key = std::nullopt,
           std::set<std::string> allowed = {}, int reply_queue = 1000,
           std::int64_t max_message_bytes = 64 * 1024 * 1024, int requests_per_client = 256);
  ~ZmqFront();  // closes the ROUTER with a 2 s linger so the last replies go out

  const std::string& endpoint() const { return endpoint_; }  // the address really bound
  int fd() const;                                            // ZMQ_FD, for the loop's epoll
  // Loop thread: reads and handles waiting messages while the server has room (or is closing:
  // those are refused at once). Returns true when input is left that it could not take yet.
  bool pump();
  std::uint64_t undeliverable() const { return undeliverable_; }

 private:
  void handle(std::vector<zmq::message_t>& frames);
  void send_reply(const std::string& identity, const std::string& request_id, Response&& response);
  // Why this connection may not start `request_id` now (a cap, a duplicate id), or "".
  std::string refusal_for(const std::string& identity, const std::string& request_id) const;

  Server& server_;
  zmq::context_t context_{1};
  std::optional<ZapThread> zap_;  // before router_: in place before it binds
  zmq::socket_t router_;
  std::string endpoint_;
  std::uint64_t undeliverable_ = 0;
  const std::size_t requests_per_client_;
  // The request ids each connection (routing id) has in flight; an entry goes with its last id.
  std::unordered_map<std::string, std::unordered_set<std::string>> in_flight_;
};

}  // namespace jflow::serve
