// PeaOutputs: a pea's downstream PUSH sockets, one per receiving pea, each sent a copy of every
// message. Sends never block the loop: a message the socket cannot take now waits in that
// socket's outbox, and while any outbox holds something the pea stops reading its input, so
// back-pressure travels upstream instead of growing a queue.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "jflow/curve_keys.hpp"
#include "wire/frame_keeper.hpp"

namespace jflow {

class PeaOutputs {
 public:
  using Frames = std::array<zmq::message_t, 2>;

  explicit PeaOutputs(zmq::context_t& context) : context_(context) {}
  // `curve`: the flow's CURVE session, when it has one (jflow/curve_link.hpp).
  void connect(const std::vector<std::string>& endpoints,
               const std::optional<CurveKeyPair>& curve = std::nullopt);
  // Moves every output connected to `from` over to `to` (a restarted neighbour that could not
  // bind its old endpoint); what such an output still had queued for `from` is dropped, as the
  // requests in the dead neighbour were ended by the orchestrator. True if any output moved.
  bool reconnect(const std::string& from, const std::string& to);

  // Sends [envelope | body] to every output (copies share large bodies; libzmq refcounts them).
  // The last output is given the frames themselves: no copy, and no temporaries. `envelope` is
  // one this thread made (Message::envelope_to_send), so a reference to it is kept (FrameKeeper).
  void send(zmq::message_t&& envelope, zmq::message_t&& body);
  bool blocked() const;
  // Poll items asking for POLLOUT on the sockets with a backlog; call flush() after polling.
  void add_poll_items(std::vector<zmq::pollitem_t>& items) const;
  void flush();
  std::size_t backlog() const;
  // Bytes of the frames the sockets took (each output's copy counted), since the pea started.
  std::uint64_t sent_bytes() const { return sent_bytes_; }

 private:
  struct Output {
    zmq::socket_t socket;
    std::string endpoint;
    std::deque<Frames> outbox;
  };
  // Hands one output [envelope | body] now, or keeps them in its outbox (emptying both).
  void deliver(Output& output, zmq::message_t& envelope, zmq::message_t& body);
  bool try_send(zmq::socket_t& socket, zmq::message_t& envelope, zmq::message_t& body);

  zmq::context_t& context_;
  std::vector<Output> outputs_;
  std::uint64_t sent_bytes_ = 0;
  FrameKeeper kept_envelopes_;
};

}  // namespace jflow
