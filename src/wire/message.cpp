#include "jflow/message.hpp"

#include "jflow/codec.hpp"
#include "wire/frame.hpp"

namespace jflow {
namespace {

Request decode_frame(const zmq::message_t& frame, RequestType type) {
  Request request = decode_body(std::string_view(frame.data<char>(), frame.size()));
  request.type = type;
  return request;
}

}  // namespace

Message::Message(Envelope envelope, zmq::message_t body)
    : envelope_(std::move(envelope)), body_(std::move(body)) {}

Message::Message(Envelope envelope, std::vector<zmq::message_t> part_bodies)
    : envelope_(std::move(envelope)), part_bodies_(std::move(part_bodies)) {}

Request& Message::request() {
  if (decoded_) return *decoded_;
  if (joined()) {
    Request merged;
    merged.type = envelope_.type;
    for (Request& part : parts()) {
      if (merged.parameters.empty()) merged.parameters = std::move(part.parameters);
      for (Document& doc : part.docs) merged.docs.push_back(std::move(doc));
    }
    set_request(std::move(merged));
  } else {
    decoded_ = decode_frame(body_, envelope_.type);
  }
  return *decoded_;
}

std::vector<Request> Message::parts() const {
  std::vector<Request> parts;
  parts.reserve(part_bodies_.size());
  for (const zmq::message_t& body : part_bodies_)
    parts.push_back(decode_frame(body, envelope_.type));
  return parts;
}

void Message::set_request(Request request) {
  decoded_ = std::move(request);
  decoded_->type = envelope_.type;
  part_bodies_.clear();
}

zmq::message_t Message::take_body() {
  if (!decoded_ && !joined()) return std::move(body_);
  return frame_from(encode_body(request()));
}

}  // namespace jflow
