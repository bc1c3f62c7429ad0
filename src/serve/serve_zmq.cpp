// The ROUTER endpoint: decode what a client sent, hand it to the server, send the reply back.
#include "serve/serve_zmq.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "base/utf8.hpp"
#include "jflow/codec.hpp"
#include "jflow/log.hpp"
#include "net/curve_link.hpp"
#include "serve/front_request.hpp"
#include "serve/serve_server.hpp"
#include "wire/frame.hpp"

namespace jflow::serve {

namespace {

constexpr int kCloseLingerMs = 2000;
constexpr std::size_t kMaxReadsPerPump = 256;  // then the loop looks at the flow again

}  // namespace

ZmqFront::ZmqFront(Server& server, const std::string& address,
                   const std::optional<CurveKeyPair>& key, std::set<std::string> allowed,
                   int reply_queue, std::int64_t max_message_bytes, int requests_per_client)
    : server_(server),
      router_(context_, zmq::socket_type::router),
      requests_per_client_(static_cast<std::size_t>(std::max(requests_per_client, 1))) {
  if (key) {
    zap_.emplace(context_, std::move(allowed),
                 [](const std::string& line) { log("serve", LogLevel::warn, line); });
    make_curve_server(router_, *key);
  }
  router_.set(zmq::sockopt::linger, kCloseLingerMs);
  // Fail a reply to a client that has gone instead of queueing it for nobody. The send queue of
  // each client is bounded (ROUTER's high-water mark is per peer): a client that does not read its
  // replies loses the ones past it (EAGAIN with router_mandatory), and the server's memory
  // does not grow for it. A message larger than max_message_bytes drops its sender's connection
  // before the message is read into memory.
  router_.set(zmq::sockopt::router_mandatory, true);
  router_.set(zmq::sockopt::sndhwm, reply_queue);
  router_.set(zmq::sockopt::maxmsgsize, max_message_bytes);
  try {
    router_.bind(address);
  } catch (const zmq::error_t& e) {
    throw std::runtime_error("cannot bind the ZeroMQ endpoint '" + address + "': " + e.what());
  }
  endpoint_ = router_.get(zmq::sockopt::last_endpoint);
}

ZmqFront::~ZmqFront() = default;

int ZmqFront::fd() const {
  return router_.get(zmq::sockopt::fd);
}

bool ZmqFront::pump() {
  for (std::size_t reads = 0; reads < kMaxReadsPerPump; ++reads) {
    if (!(router_.get(zmq::sockopt::events) & ZMQ_POLLIN)) return false;
    if (!server_.closing() && !server_.has_room()) return false;  // the flow's replies free room
    std::vector<zmq::message_t> frames;
    zmq::message_t frame;
    if (!router_.recv(frame, zmq::recv_flags::dontwait)) return false;
    frames.push_back(std::move(frame));
    while (frames.back().more()) {
      zmq::message_t next;
      if (!router_.recv(next, zmq::recv_flags::none)) break;
      frames.push_back(std::move(next));
    }
    handle(frames);
  }
  return (router_.get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
}

void ZmqFront::handle(std::vector<zmq::message_t>& frames) {
  std::string identity = frames.front().to_string();
  std::vector<std::string_view> payload;
  for (std::size_t i = 1; i < frames.size(); ++i) payload.push_back(frames[i].to_string_view());
  FrontRequest front = read_front_request(payload);
  if (!front.request) {
    Response response = server_reply(front.type, StatusCode::bad_request, front.refusal);
    send_reply(identity, front.request_id, std::move(response));
    return;
  }
  const std::string refusal = refusal_for(identity, front.request_id);
  if (!refusal.empty()) {
    send_reply(identity, front.request_id,
               server_reply(front.type, StatusCode::bad_request, refusal));
    return;
  }
  in_flight_[identity].insert(front.request_id);
  server_.accept(
      std::move(*front.request), front.deadline_ns,
      [this, identity = std::move(identity), id = front.request_id](Response&& response) {
        const auto client = in_flight_.find(identity);
        client->second.erase(id);
        if (client->second.empty()) in_flight_.erase(client);
        send_reply(identity, id, std::move(response));
      });
}

std::string ZmqFront::refusal_for(const std::string& identity,
                                  const std::string& request_id) const {
  const auto client = in_flight_.find(identity);
  if (client == in_flight_.end()) return "";
  // Replies are matched to requests by id: a second request with an id still in flight would
  // make its replies ambiguous to the client.
  if (client->second.count(request_id)) {
    return "request id '" + escape_invalid_utf8(request_id) +
           "' is already in flight on this connection";
  }
  if (client->second.size() >= requests_per_client_) {
    return "this connection has " + std::to_string(requests_per_client_) +
           " requests in flight already (zmq_requests_per_client)";
  }
  return "";
}

void ZmqFront::send_reply(const std::string& identity, const std::string& request_id,
                          Response&& response) {
  response.envelope.request_id = request_id;
  const std::string head = encode_envelope(response.envelope);
  try {
    // Never wait: the loop thread serves every client. EAGAIN on the routing frame (a result of
    // false) means this client's queue is full; the rest of a message whose first frame went
    // always goes too (the high-water mark counts whole messages).
    if (!router_.send(zmq::message_t(identity.data(), identity.size()),
                      zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      ++undeliverable_;
      return;
    }
    router_.send(zmq::message_t(head.data(), head.size()),
                 zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    router_.send(frame_from(encode_body(response.request)), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    // EHOSTUNREACH: the client disconnected before its reply. It costs this reply only.
    ++undeliverable_;
  }
}

}  // namespace jflow::serve
