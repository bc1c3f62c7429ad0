#include "jflow/message.hpp"

#include "jflow/codec.hpp"
#include "wire/frame.hpp"
#include "wire/route_append.hpp"

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

Message Message::arrived(zmq::message_t&& envelope_frame, zmq::message_t&& body) {
  std::optional<Message> message;
  arrive_into(message, std::move(envelope_frame), std::move(body));
  return std::move(*message);
}

void Message::arrive_into(std::optional<Message>& out, zmq::message_t&& envelope_frame,
                          zmq::message_t&& body) {
  Message& message = out.emplace(ArrivalKey{});
  detail::EnvelopeLayout layout;
  try {
    detail::decode_envelope_header_into(
        std::string_view(envelope_frame.data<char>(), envelope_frame.size()), layout,
        message.envelope_);
  } catch (...) {
    out.reset();
    throw;
  }
  message.body_.swap(body);
  message.envelope_frame_.swap(envelope_frame);
  message.routes_in_frame_ = true;
  message.routes_at_ = layout.routes_at;
  message.routes_header_ = layout.routes_header;
  message.routes_end_ = layout.routes_end;
  message.routes_count_ = layout.routes;
  message.texts_in_frame_ = true;
  message.request_id_at_ = layout.request_id_at;
  message.request_id_size_ = layout.request_id_size;
  message.traceparent_at_ = layout.traceparent_at;
  message.traceparent_size_ = layout.traceparent_size;
}

void Message::make_texts() const {
  if (!texts_in_frame_) return;
  const char* bytes = envelope_frame_.data<char>();
  if (request_id_size_ != 0) envelope_.request_id.assign(bytes + request_id_at_, request_id_size_);
  if (traceparent_size_ != 0)
    envelope_.traceparent.assign(bytes + traceparent_at_, traceparent_size_);
  texts_in_frame_ = false;
}

std::string_view Message::request_id() const {
  if (texts_in_frame_) return {envelope_frame_.data<char>() + request_id_at_, request_id_size_};
  return envelope_.request_id;
}

void Message::decode_routes() const {
  if (!routes_in_frame_) return;
  make_texts();  // before the frame goes
  // The frame was checked whole when it arrived: this decode cannot fail.
  detail::EnvelopeLayout layout;
  envelope_.routes =
      detail::decode_envelope(
          std::string_view(envelope_frame_.data<char>(), envelope_frame_.size()), layout)
          .routes;
  if (added_route_) envelope_.routes.push_back(std::move(*added_route_));
  added_route_.reset();
  routes_in_frame_ = false;
  envelope_frame_ = zmq::message_t();
}

void Message::add_route(Route route) {
  if (routes_in_frame_ && !added_route_) {
    added_route_ = std::move(route);
    return;
  }
  decode_routes();
  envelope_.routes.push_back(std::move(route));
}

Route& Message::last_route() {
  if (routes_in_frame_ && added_route_) return *added_route_;
  decode_routes();
  return envelope_.routes.back();
}

bool Message::forward_envelope_into(zmq::message_t& out) const {
  if (!routes_in_frame_ || envelope_changed_ || !added_route_) return false;
  const std::string_view bytes(envelope_frame_.data<char>(), envelope_frame_.size());
  const detail::EnvelopeLayout layout{routes_at_, routes_header_, routes_count_, routes_end_};
  out.rebuild(detail::size_with_route(bytes, layout, *added_route_));
  detail::append_route_to(bytes, layout, *added_route_, out.data<char>());
  return true;
}

zmq::message_t Message::envelope_to_send() const {
  zmq::message_t frame;
  if (forward_envelope_into(frame)) return frame;
  return frame_from(encode_envelope(envelope()));
}

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
