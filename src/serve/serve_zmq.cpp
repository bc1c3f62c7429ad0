// The ROUTER endpoint: decode what a client sent, hand it to the server, send the reply back.
#include "serve/serve_zmq.hpp"

#include <stdexcept>
#include <vector>

#include <cstdio>

#include "jflow/codec.hpp"
#include "net/curve_link.hpp"
#include "serve/serve_server.hpp"
#include "wire/frame.hpp"

namespace jflow::serve {

namespace {

constexpr int kCloseLingerMs = 2000;
constexpr std::size_t kMaxReadsPerPump = 256;  // then the loop looks at the flow again

}  // namespace

ZmqFront::ZmqFront(Server& server, const std::string& address,
                   const std::optional<CurveKeyPair>& key, std::set<std::string> allowed)
    : server_(server), router_(context_, zmq::socket_type::router) {
  if (key) {
    zap_.emplace(context_, std::move(allowed), [](const std::string& line) {
      std::fprintf(stderr, "jflow serve: %s\n", line.c_str());
    });
    make_curve_server(router_, *key);
  }
  router_.set(zmq::sockopt::linger, kCloseLingerMs);
  // Fail a reply to a client that has gone instead of queueing it for nobody; never drop a reply
  // for a full queue (what the server holds is bounded by max_in_flight and the backlog).
  router_.set(zmq::sockopt::router_mandatory, true);
  router_.set(zmq::sockopt::sndhwm, 0);
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
  const std::size_t payload = frames.size() - 1;
  // Salvage the request id when the first frame is an envelope, so even a refusal is matched.
  std::optional<Envelope> envelope;
  std::string envelope_error;
  if (payload >= 1) {
    try {
      envelope = decode_envelope(frames[1].to_string_view());
    } catch (const DecodeError& e) {
      envelope_error = e.what();
    }
  }
  const std::string request_id = envelope ? envelope->request_id : "";
  const RequestType type = envelope ? envelope->type : RequestType::index;
  const auto refuse = [&](std::string message) {
    Response response = server_reply(type, StatusCode::bad_request, std::move(message));
    send_reply(identity, request_id, std::move(response));
  };
  if (payload != 2) {
    refuse("expected 2 frames [envelope | body], got " + std::to_string(payload));
    return;
  }
  if (!envelope) {
    refuse(envelope_error);
    return;
  }
  Request request;
  try {
    request = decode_body(frames[2].to_string_view());
  } catch (const DecodeError& e) {
    refuse(e.what());
    return;
  }
  request.type = type;
  server_.accept(std::move(request), envelope->deadline_ns,
                 [this, identity = std::move(identity), id = request_id](Response&& response) {
                   send_reply(identity, id, std::move(response));
                 });
}

void ZmqFront::send_reply(const std::string& identity, const std::string& request_id,
                          Response&& response) {
  response.envelope.request_id = request_id;
  const std::string head = encode_envelope(response.envelope);
  try {
    router_.send(zmq::message_t(identity.data(), identity.size()), zmq::send_flags::sndmore);
    router_.send(zmq::message_t(head.data(), head.size()), zmq::send_flags::sndmore);
    router_.send(frame_from(encode_body(response.request)), zmq::send_flags::none);
  } catch (const zmq::error_t&) {
    // EHOSTUNREACH: the client disconnected before its reply. Nothing else is expected with an
    // unbounded send queue; whatever it is, it costs this reply only, never the server.
    ++undeliverable_;
  }
}

}  // namespace jflow::serve
