#include "jflow/message.hpp"

#include "jflow/codec.hpp"

namespace jflow {

Message::Message(Envelope envelope, zmq::message_t body)
    : envelope_(std::move(envelope)), body_(std::move(body)) {}

Request& Message::request() {
  if (!decoded_) {
    decoded_ = decode_body(std::string_view(body_.data<char>(), body_.size()));
    decoded_->type = envelope_.type;
  }
  return *decoded_;
}

zmq::message_t Message::take_body() {
  if (!decoded_) return std::move(body_);
  std::string bytes = encode_body(*decoded_);
  return zmq::message_t(bytes.data(), bytes.size());
}

}  // namespace jflow
