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

void PeaOutputs::send(zmq::message_t&& envelope, zmq::message_t&& body) {
  kept_envelopes_.keep(envelope);
  for (std::size_t i = 0; i + 1 < outputs_.size(); ++i) {
    zmq::message_t envelope_copy, body_copy;
    envelope_copy.copy(envelope);
    body_copy.copy(body);
    deliver(outputs_[i], envelope_copy, body_copy);
  }
  if (!outputs_.empty()) deliver(outputs_.back(), envelope, body);
}

void PeaOutputs::deliver(Output& output, zmq::message_t& envelope, zmq::message_t& body) {
  if (output.outbox.empty() && try_send(output.socket, envelope, body)) return;
  output.outbox.push_back(Frames{std::move(envelope), std::move(body)});
}

bool PeaOutputs::try_send(zmq::socket_t& socket, zmq::message_t& envelope, zmq::message_t& body) {
  // PUSH queues whole multipart messages atomically: once the first frame is accepted, the second
  // is too, so a would-block can only happen on the first. (Sizes first: sending empties them.)
  const std::size_t bytes = envelope.size() + body.size();
  if (!socket.send(envelope, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) return false;
  socket.send(body, zmq::send_flags::none);
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
    while (!output.outbox.empty() &&
           try_send(output.socket, output.outbox.front()[0], output.outbox.front()[1])) {
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
