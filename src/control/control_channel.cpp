#include "control/control_channel.hpp"

#include <vector>

#include <zmq_addon.hpp>

namespace jflow {

void send_control(zmq::socket_t& dealer, const ControlMessage& message) {
  std::string bytes = encode_control(message);
  dealer.send(zmq::buffer(bytes), zmq::send_flags::none);
}

bool send_control_to(zmq::socket_t& router, const ControlMessage& message) {
  std::string bytes = encode_control(message);
  try {
    if (!router.send(zmq::buffer(message.pea),
                     zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return false;
    router.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
    return true;
  } catch (const zmq::error_t& e) {
    if (e.num() == EHOSTUNREACH) return false;
    throw;
  }
}

std::optional<ControlMessage> try_recv_control(zmq::socket_t& socket, bool from_router) {
  std::vector<zmq::message_t> frames;
  if (!zmq::recv_multipart(socket, std::back_inserter(frames), zmq::recv_flags::dontwait))
    return std::nullopt;
  std::size_t expected = from_router ? 2 : 1;
  if (frames.size() != expected) {
    throw DecodeError("control: expected " + std::to_string(expected) + " frame(s), got " +
                      std::to_string(frames.size()));
  }
  const zmq::message_t& payload = frames.back();
  ControlMessage message = decode_control(std::string_view(payload.data<char>(), payload.size()));
  if (from_router) message.pea = frames.front().to_string();  // the socket says who sent it
  return message;
}

std::string text_field(const ControlMessage& message, const std::string& key,
                       const std::string& fallback) {
  auto it = message.fields.find(key);
  if (it == message.fields.end() || !std::holds_alternative<std::string>(it->second)) {
    return fallback;
  }
  return std::get<std::string>(it->second);
}

std::int64_t integer_field_or(const ControlMessage& message, const std::string& key,
                              std::int64_t fallback) {
  auto it = message.fields.find(key);
  if (it == message.fields.end() || !std::holds_alternative<std::int64_t>(it->second)) {
    return fallback;
  }
  return std::get<std::int64_t>(it->second);
}

}  // namespace jflow
