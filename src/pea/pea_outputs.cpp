#include "pea/pea_outputs.hpp"

#include "net/curve_link.hpp"
#include "net/endpoint.hpp"

namespace jflow {

void PeaOutputs::connect(const std::vector<std::string>& endpoints,
                         const std::optional<CurveKeyPair>& curve) {
  for (const std::string& endpoint : endpoints) {
    Output& output = outputs_.emplace_back(
        Output{zmq::socket_t(context_, zmq::socket_type::push), endpoint, {}});
    set_common_options(output.socket);
    secure_connecting_side(output.socket, curve);
    output.socket.connect(endpoint);
  }
}

bool PeaOutputs::reconnect(const std::string& from, const std::string& to) {
  bool moved = false;
  for (Output& output : outputs_) {
    if (output.endpoint != from) continue;
    output.socket.disconnect(from);
    output.socket.connect(to);
    output.endpoint = to;
    output.outbox.clear();
    moved = true;
  }
  return moved;
}

void PeaOutputs::send(zmq::message_t envelope, zmq::message_t body) {
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    Output& output = outputs_[i];
    Frames frames;
    if (i + 1 == outputs_.size()) {
      frames = {std::move(envelope), std::move(body)};
    } else {
      frames[0].copy(envelope);
      frames[1].copy(body);
    }
    if (output.outbox.empty() && try_send(output.socket, frames)) continue;
    output.outbox.push_back(std::move(frames));
  }
}

bool PeaOutputs::try_send(zmq::socket_t& socket, Frames& frames) {
  // PUSH queues whole multipart messages atomically: once the first frame is accepted, the second
  // is too, so a would-block can only happen on the first. (Sizes first: sending empties them.)
  const std::size_t bytes = frames[0].size() + frames[1].size();
  if (!socket.send(frames[0], zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
  socket.send(frames[1], zmq::send_flags::none);
  sent_bytes_ += bytes;
  return true;
}

bool PeaOutputs::blocked() const {
  for (const Output& output : outputs_) {
    if (!output.outbox.empty()) return true;
  }
  return false;
}

void PeaOutputs::add_poll_items(std::vector<zmq::pollitem_t>& items) const {
  for (const Output& output : outputs_) {
    if (!output.outbox.empty())  // zmq's poll item wants a mutable handle; polling does not change
                                 // the socket.
      items.push_back({const_cast<void*>(output.socket.handle()), 0, ZMQ_POLLOUT, 0});
  }
}

void PeaOutputs::flush() {
  for (Output& output : outputs_) {
    while (!output.outbox.empty() && try_send(output.socket, output.outbox.front())) {
      output.outbox.pop_front();
    }
  }
}

std::size_t PeaOutputs::backlog() const {
  std::size_t total = 0;
  for (const Output& output : outputs_) total += output.outbox.size();
  return total;
}

}  // namespace jflow
