// A raw DEALER client of a served flow, for tests that must see every frame the server sends
// (duplicates, refusals) rather than what jflow::Client makes of them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "jflow/codec.hpp"
#include "jflow/duration.hpp"

namespace jflow::test {

struct RawClient {
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::dealer};
  explicit RawClient(const std::string& endpoint) {
    socket.set(zmq::sockopt::linger, 0);
    socket.connect(endpoint);
  }
  void send(const std::vector<std::string>& frames) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      socket.send(zmq::buffer(frames[i]),
                  i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }
  // The next reply as [envelope, body], or nullopt after `limit` (or for a reply that is not two
  // frames). No Catch2 assertion in here: two client threads call it at once, and Catch2's
  // assertions are not thread-safe (ThreadSanitizer reports their counters).
  std::optional<std::pair<Envelope, Request>> receive(Duration limit = std::chrono::seconds(10)) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::duration_cast<std::chrono::milliseconds>(limit)) <= 0)
      return std::nullopt;
    std::vector<zmq::message_t> frames;
    for (;;) {
      zmq::message_t frame;
      if (!socket.recv(frame)) return std::nullopt;
      const bool more = frame.more();
      frames.push_back(std::move(frame));
      if (!more) break;
    }
    if (frames.size() != 2) return std::nullopt;
    return std::make_pair(decode_envelope(frames[0].to_string_view()),
                          decode_body(frames[1].to_string_view()));
  }
};

}  // namespace jflow::test
