// The request path: requests out through the entry pods' PUSHes, replies in on the results PULL,
// matched to their callers by request_id; deadlines expire here too.
#include "flow/gateway.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "jflow/codec.hpp"
#include "jflow/log.hpp"
#include "net/curve_link.hpp"
#include "net/endpoint.hpp"
#include "wire/frame.hpp"
#include "wire/receive_frames.hpp"
#include "wire/traceparent.hpp"

namespace jflow::detail {
namespace {

// Replies read per process() call, so one busy flow cannot starve the host loop; the fd stays
// readable while more wait.
constexpr std::size_t kReplyBatch = 256;
// Requests held back to go out together; more would add latency for little fewer wake-ups.
constexpr std::size_t kBurst = 32;
// How many of the flow id's characters start each request id (see open_results).
constexpr std::size_t kIdPrefixDigits = 6;

bool has_events(std::optional<zmq::socket_t>& socket, int flag) {
  // Reading ZMQ_EVENTS makes libzmq process the socket's pending commands, which is what resets
  // its ZMQ_FD; so it is read on every socket, whether or not we need the answer.
  return socket && (socket->get(zmq::sockopt::events) & flag) != 0;
}

}  // namespace

Gateway::Gateway(zmq::context_t& context, WakeFd& wake) : context_(context), wake_(wake) {}

void Gateway::open_results(const FlowSpec& spec, const std::string& flow_id,
                           const std::optional<CurveKeyPair>& session) {
  // Six of the flow id's hex digits: "abc123-" and a sequence number below 10^8 fit in
  // std::string's inline room (15 characters), so an id costs no heap allocation where it is
  // made, copied into the envelope, decoded from the reply or handed to the caller. 24 random
  // bits tell flows apart in logs; the traceparent is the id that is unique everywhere.
  id_prefix_ = flow_id.substr(0, kIdPrefixDigits) + "-";
  results_.emplace(context_, zmq::socket_type::pull);
  set_common_options(*results_);
  secure_binding_side(*results_, session);
  results_endpoint_ =
      bind_any(*results_, spec.transport, spec.host, "jflow-" + flow_id + "-results");
  wake_.watch(*results_);
}

void Gateway::connect(const std::vector<std::string>& targets, std::size_t max_in_flight,
                      const std::optional<CurveKeyPair>& session) {
  const int hwm = static_cast<int>(std::max<std::size_t>(1000, max_in_flight));
  burst_from_ = max_in_flight / 2;
  for (const std::string& target : targets) {
    zmq::socket_t& socket = gateway_ ? more_gateways_.emplace_back(context_, zmq::socket_type::push)
                                     : gateway_.emplace(context_, zmq::socket_type::push);
    set_common_options(socket);
    socket.set(zmq::sockopt::sndhwm, hwm);
    secure_connecting_side(socket, session);
    socket.connect(target);
    targets_.push_back(target);
  }
  wake_.watch(*gateway_);
}

void Gateway::reconnect(const std::string& from, const std::string& to) {
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i] != from) continue;
    zmq::socket_t& socket = i == 0 ? *gateway_ : more_gateways_[i - 1];
    socket.disconnect(from);
    socket.connect(to);
    targets_[i] = to;
  }
}

void Gateway::close() {
  more_gateways_.clear();
  targets_.clear();
  for (auto* socket : {&gateway_, &results_}) {
    if (!*socket) continue;
    wake_.unwatch(**socket);
    socket->reset();
  }
}

std::string Gateway::request_id(PendingRequests::Sequence sequence) const {
  char digits[std::numeric_limits<PendingRequests::Sequence>::digits10 + 1];
  const auto [end, error] = std::to_chars(digits, digits + sizeof digits, sequence);
  std::string id = id_prefix_;
  id.append(digits, end);
  return id;
}

std::optional<PendingRequests::Sequence> Gateway::sequence_of(std::string_view id) const {
  if (id.size() <= id_prefix_.size() || id.substr(0, id_prefix_.size()) != id_prefix_) {
    return std::nullopt;
  }
  PendingRequests::Sequence sequence = 0;
  const char* digits = id.data() + id_prefix_.size();
  const char* end = id.data() + id.size();
  auto [stop, error] = std::from_chars(digits, end, sequence);
  if (error != std::errc() || stop != end) return std::nullopt;
  return sequence;
}

std::string Gateway::send(Request request, ResponseCallback done, Duration timeout) {
  const PendingRequests::Sequence sequence = next_request_++;
  std::string id = request_id(sequence);
  PendingRequests::Entry entry;
  entry.done = std::move(done);
  entry.type = request.type;
  entry.timeout = timeout;
  // A request ends here, at once, when its traceparent is malformed, the flow is broken or a
  // pod is down while it restarts a pea.
  std::optional<Status> refusal;
  if (request.traceparent.empty()) {
    entry.traceparent = InlineTraceparent::fresh();
  } else if (auto problem = traceparent_problem(request.traceparent)) {
    refusal = Status{StatusCode::bad_request, "traceparent: " + *problem, "gateway", ""};
  } else {
    entry.traceparent = InlineTraceparent(request.traceparent);  // accepted: does not throw
  }
  if (!refusal && broken_) {
    refusal = Status{StatusCode::pea_lost, "flow cannot serve: " + *broken_, broken_pod_, ""};
  } else if (!refusal && !down_.empty()) {
    const auto& [pod, why] = *down_.begin();
    refusal = Status{StatusCode::pea_lost, "flow cannot serve yet: " + why, pod, ""};
  }
  if (refusal) {
    Response response;
    response.envelope.request_id = id;
    response.envelope.type = request.type;
    response.envelope.status = std::move(*refusal);
    response.envelope.traceparent = entry.traceparent.view();
    if (metrics_) metrics_->on_refused(request.type, response.envelope.status.code);
    ready_.emplace_back(std::move(entry.done), std::move(response));
    return id;
  }
  // The envelope and the body are encoded into buffers kept from the last request: assigning the
  // id reuses the string's room, so neither allocates per request.
  Envelope& envelope = request_envelope_;
  envelope.request_id = id;
  envelope.type = request.type;
  envelope.deadline_ns = 0;
  envelope.traceparent = entry.traceparent.view();
  const std::int64_t now_ns = timeout > Duration::zero() || metrics_ ? unix_now_ns() : 0;
  if (timeout > Duration::zero()) {
    envelope.deadline_ns = now_ns + timeout.count();
    entry.deadline = steady_now() + timeout;
  }
  entry.sent_ns = now_ns;
  encode_envelope_into(envelope, envelope_bytes_);
  encode_body_into(request, body_bytes_);
  Frames frames{zmq::message_t(envelope_bytes_.data(), envelope_bytes_.size()),
                body_bytes_.size() < kHandOverFrom
                    ? zmq::message_t(body_bytes_.data(), body_bytes_.size())
                    : frame_from(std::move(body_bytes_))};
  kept_frames_.keep(frames[0]);  // both made here: freed here too (FrameKeeper)
  kept_frames_.keep(frames[1]);
  if (metrics_) metrics_->on_sent(frames[0].size() + frames[1].size());
  const bool hold = burst_from_ > 0 && pending_.size() >= burst_from_;
  pending_.add(sequence, std::move(entry));
  if (!outbox_.empty() || hold || !try_send(frames)) {
    outbox_.push_back(std::move(frames));
    if (hold) holding_ = true;
    if (hold && outbox_.size() >= kBurst) flush_outbox();
    record_queue();
  }
  return id;
}

bool Gateway::try_send(Frames& frames) {
  if (!more_gateways_.empty()) {
    // Several entry pods: send copies only when every PUSH can take one, so that no entry pod
    // gets a request the others miss (a join downstream would wait for it in vain).
    const auto writable = [](zmq::socket_t& socket) {
      return (socket.get(zmq::sockopt::events) & ZMQ_POLLOUT) != 0;
    };
    if (!writable(*gateway_)) return false;
    for (zmq::socket_t& socket : more_gateways_) {
      if (!writable(socket)) return false;
    }
    for (zmq::socket_t& socket : more_gateways_) {
      zmq::message_t head, body;
      head.copy(frames[0]);
      body.copy(frames[1]);  // shares the bytes of a large body, not a copy of them
      socket.send(head, zmq::send_flags::sndmore);
      socket.send(body, zmq::send_flags::none);
    }
  }
  if (!gateway_->send(frames[0], zmq::send_flags::sndmore | zmq::send_flags::dontwait))
    return false;
  gateway_->send(frames[1], zmq::send_flags::none);
  return true;
}

void Gateway::flush_outbox() {
  holding_ = false;  // whatever stays now is blocked by the socket, not held
  if (outbox_.empty()) return;
  std::size_t sent = 0;
  while (sent < outbox_.size() && try_send(outbox_[sent])) ++sent;
  outbox_.erase(outbox_.begin(), outbox_.begin() + static_cast<std::ptrdiff_t>(sent));
  record_queue();
}

void Gateway::read_results(std::size_t budget) {
  if (!results_) return;
  for (std::size_t i = 0; i < std::min(budget, kReplyBatch); ++i) {
    std::vector<zmq::message_t>& frames = reply_frames_;  // kept: no allocation per reply
    if (!receive_frames(*results_, frames)) return;
    if (frames.size() != 2) {
      log("gateway", LogLevel::warn,
          "reply with " + std::to_string(frames.size()) + " frames ignored (expected 2)");
      continue;
    }
    Response response;
    try {
      response.envelope =
          decode_envelope(std::string_view(frames[0].data<char>(), frames[0].size()));
    } catch (const DecodeError& e) {
      log("gateway", LogLevel::warn,
          std::string("undecodable reply envelope ignored: ") + e.what());
      continue;
    }
    std::optional<PendingRequests::Entry> entry;
    if (auto sequence = sequence_of(response.envelope.request_id)) entry = pending_.take(*sequence);
    if (!entry) {
      ++late_replies_;  // it already ended (deadline passed); its caller has had an answer
      continue;
    }
    if (metrics_)
      metrics_->on_reply(response.envelope, entry->sent_ns, frames[0].size() + frames[1].size());
    if (response.ok()) {
      try {
        response.request = decode_body(std::string_view(frames[1].data<char>(), frames[1].size()));
        response.request.type = response.envelope.type;
        response.request.traceparent = response.envelope.traceparent;
      } catch (const DecodeError& e) {
        response.envelope.status = {StatusCode::bad_request, e.what(), "gateway", ""};
      }
    }
    end(std::move(*entry), std::move(response));
  }
}

void Gateway::expire_deadlines(SteadyTime now) {
  for (auto& [sequence, entry] : pending_.take_expired(now)) {
    std::string message =
        "no reply within " + format_duration(entry.timeout) + " (deadline passed)";
    if (metrics_) metrics_->on_expired();
    log("gateway", LogLevel::warn, "request " + request_id(sequence) + " " + message,
        entry.traceparent.view());
    end_with(request_id(sequence), std::move(entry), StatusCode::timeout, message, "gateway");
  }
}

void Gateway::break_flow(const std::string& why, const std::string& pod) {
  if (!broken_) {
    broken_ = why;
    broken_pod_ = pod;
  }
  end_all(StatusCode::pea_lost, why, pod);
}

void Gateway::pod_down(const std::string& pod, const std::string& why) {
  down_[pod] = why;
  end_all(StatusCode::pea_lost, why, pod);
}

void Gateway::pod_back(const std::string& pod) {
  down_.erase(pod);
}

void Gateway::end_all(StatusCode code, const std::string& message, const std::string& pod) {
  outbox_.clear();
  record_queue();
  for (auto& [sequence, entry] : pending_.take_all()) {
    if (metrics_) metrics_->on_ended(entry.type, code);
    log("gateway", LogLevel::error, "request " + request_id(sequence) + " failed: " + message,
        entry.traceparent.view());
    Response response;
    response.envelope.request_id = request_id(sequence);
    response.envelope.type = entry.type;
    response.envelope.status = {code, message, pod, ""};
    response.envelope.traceparent = entry.traceparent.view();
    ready_.emplace_back(std::move(entry.done), std::move(response));
  }
}

void Gateway::end(PendingRequests::Entry entry, Response response) {
  if (metrics_) metrics_->on_ended(entry.type, response.envelope.status.code);
  ++ended_count_;
  if (entry.done) entry.done(std::move(response));
}

void Gateway::end_with(std::string id, PendingRequests::Entry entry, StatusCode code,
                       std::string message, std::string pod) {
  Response response;
  response.envelope.request_id = std::move(id);
  response.envelope.type = entry.type;
  response.envelope.status = {code, std::move(message), std::move(pod), ""};
  response.envelope.traceparent = entry.traceparent.view();
  end(std::move(entry), std::move(response));
}

void Gateway::deliver_ready(std::size_t budget) {
  for (std::size_t i = 0; i < budget && !ready_.empty(); ++i) {
    auto [done, response] = std::move(ready_.front());
    ready_.pop_front();
    ++ended_count_;
    if (done) done(std::move(response));
  }
}

bool Gateway::has_ready_work(bool reading_results) {
  const bool results = has_events(results_, ZMQ_POLLIN);
  const bool writable = has_events(gateway_, ZMQ_POLLOUT);
  if (!ready_.empty()) return true;
  if (reading_results && results) return true;
  return writable && !outbox_.empty();
}

bool Gateway::outbox_sendable() {
  return !outbox_.empty() && has_events(gateway_, ZMQ_POLLOUT);
}

}  // namespace jflow::detail
