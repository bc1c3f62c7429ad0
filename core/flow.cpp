// The request path of a running flow: send requests into the first pea, match replies from the
// last pea to their callers by request_id, expire deadlines, and notice dead peas.
#include "jflow/flow.hpp"

#include <iostream>

#include <zmq_addon.hpp>

#include "flow_impl.hpp"
#include "jflow/codec.hpp"
#include "jflow/control.hpp"
#include "jflow/control_channel.hpp"

namespace jflow {
namespace {

// How often pea processes are checked for exit and missed heartbeats.
constexpr auto kHealthInterval = std::chrono::milliseconds(50);
constexpr int kBatch = 256;

}  // namespace

std::string Flow::Impl::submit(Request request, ResponseCallback done, Duration timeout) {
  if (phase_ == Phase::idle) throw FlowError("submit: the flow is not started");
  if (phase_ != Phase::running) throw FlowError("submit: the flow is closed");
  // Back-pressure: at most max_in_flight requests travel at once.
  while (pending_.size() >= options_.max_in_flight && !broken_) poll(std::chrono::milliseconds(50));

  std::string id = flow_id_ + "-" + std::to_string(next_request_++);
  if (timeout == Duration::zero()) timeout = spec_.request_timeout;
  PendingRequests::Entry entry{std::move(done), request.type, std::nullopt, timeout};
  if (broken_) {
    Response response;
    response.envelope.request_id = id;
    response.envelope.type = request.type;
    response.envelope.status = {StatusCode::pea_lost, "flow cannot serve: " + *broken_, broken_pod_,
                                ""};
    ready_.emplace_back(std::move(entry.done), std::move(response));
    return id;
  }
  Envelope envelope;
  envelope.request_id = id;
  envelope.type = request.type;
  if (timeout > Duration::zero()) {
    envelope.deadline_ns = unix_now_ns() + timeout.count();
    entry.deadline = steady_now() + timeout;
  }
  std::string head = encode_envelope(envelope);
  std::string body = encode_body(request);
  Frames frames{zmq::message_t(head.data(), head.size()), zmq::message_t(body.data(), body.size())};
  pending_.add(id, std::move(entry));
  if (!outbox_.empty() || !try_send(frames)) outbox_.push_back(std::move(frames));
  return id;
}

bool Flow::Impl::try_send(Frames& frames) {
  if (!gateway_->send(frames[0], zmq::send_flags::sndmore | zmq::send_flags::dontwait))
    return false;
  gateway_->send(frames[1], zmq::send_flags::none);
  return true;
}

void Flow::Impl::flush_outbox() {
  while (!outbox_.empty() && try_send(outbox_.front())) outbox_.pop_front();
}

std::size_t Flow::Impl::poll(Duration max_wait) {
  std::uint64_t ended_before = ended_count_;
  fire_ready_callbacks();
  if (phase_ != Phase::running && phase_ != Phase::closing) return ended_count_ - ended_before;
  SteadyTime wake = steady_now() + max_wait;
  if (ended_count_ > ended_before) wake = steady_now();
  if (auto deadline = pending_.next_deadline(); deadline && *deadline < wake) wake = *deadline;
  if (next_health_check_ < wake) wake = next_health_check_;
  zmq::pollitem_t items[] = {
      {control_->handle(), 0, ZMQ_POLLIN, 0},
      {results_->handle(), 0, ZMQ_POLLIN, 0},
      {gateway_->handle(), 0, static_cast<short>(outbox_.empty() ? 0 : ZMQ_POLLOUT), 0},
  };
  zmq::poll(items, 3, std::chrono::milliseconds(poll_timeout_ms(wake, 1000)));
  if (items[0].revents & ZMQ_POLLIN) drain_control();
  if (items[2].revents & ZMQ_POLLOUT) flush_outbox();
  if (items[1].revents & ZMQ_POLLIN) read_results();
  expire_deadlines();
  if (steady_now() >= next_health_check_) {
    check_health();
    next_health_check_ = steady_now() + kHealthInterval;
  }
  fire_ready_callbacks();
  return ended_count_ - ended_before;
}

void Flow::Impl::drain_control() {
  while (true) {
    try {
      auto message = try_recv_control(*control_, true);
      if (!message) return;
      handle_control(*message);
    } catch (const DecodeError& e) {
      std::cerr << "jflow: bad control message: " << e.what() << "\n";
    }
  }
}

void Flow::Impl::handle_control(const ControlMessage& message) {
  PeaSlot* slot = find_slot(message.pea);
  if (slot == nullptr) return;
  slot->last_seen = steady_now();
  if (message.command == control::kRejected) {
    auto it = message.fields.find("message");
    std::string why = it != message.fields.end() && std::holds_alternative<std::string>(it->second)
                          ? std::get<std::string>(it->second)
                          : "?";
    slot->last_error = why;
    std::cerr << "jflow: pea '" << slot->name << "' rejected a message: " << why << "\n";
  }
}

void Flow::Impl::read_results() {
  for (int i = 0; i < kBatch; ++i) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(*results_, std::back_inserter(frames), zmq::recv_flags::dontwait))
      return;
    if (frames.size() != 2) {
      std::cerr << "jflow: reply with " << frames.size() << " frames ignored (expected 2)\n";
      continue;
    }
    Response response;
    try {
      response.envelope =
          decode_envelope(std::string_view(frames[0].data<char>(), frames[0].size()));
    } catch (const DecodeError& e) {
      std::cerr << "jflow: undecodable reply envelope ignored: " << e.what() << "\n";
      continue;
    }
    auto entry = pending_.take(response.envelope.request_id);
    if (!entry) {
      ++late_replies_;  // it already ended (deadline passed); its caller has had an answer
      continue;
    }
    if (response.ok()) {
      try {
        response.request = decode_body(std::string_view(frames[1].data<char>(), frames[1].size()));
        response.request.type = response.envelope.type;
      } catch (const DecodeError& e) {
        response.envelope.status = {StatusCode::bad_request, e.what(), "gateway", ""};
      }
    }
    std::string id = response.envelope.request_id;
    end(std::move(id), std::move(*entry), std::move(response));
  }
}

void Flow::Impl::expire_deadlines() {
  for (auto& [id, entry] : pending_.take_expired(steady_now())) {
    std::string message =
        "no reply within " + format_duration(entry.timeout) + " (deadline passed)";
    end_with(id, std::move(entry), StatusCode::timeout, message, "gateway");
  }
}

void Flow::Impl::check_health() {
  SteadyTime now = steady_now();
  for (PeaSlot& slot : peas_) {
    if (slot.state == PeaSlot::State::dead) continue;
    if (auto how = slot.handle->ended()) {
      mark_dead(slot, *how);
    } else if (now - slot.last_seen > options_.heartbeat_timeout) {
      slot.handle->kill();
      mark_dead(slot, "sent no heartbeat for " + format_duration(options_.heartbeat_timeout));
    }
  }
}

void Flow::Impl::mark_dead(PeaSlot& slot, const std::string& how) {
  slot.state = PeaSlot::State::dead;
  std::string who = "pea '" + slot.name + "'";
  if (slot.handle->pid() != 0) who += " (pid " + std::to_string(slot.handle->pid()) + ")";
  slot.last_error = who + " " + how;
  std::cerr << "jflow: " << slot.last_error << "\n";
  if (!broken_) {
    broken_ = slot.last_error;
    broken_pod_ = slot.pod->name;
  }
  // A linear flow has no other path: whatever was in flight may be inside the dead pea or
  // queued for it, so every pending request ends now, naming the pea.
  outbox_.clear();
  fail_all(StatusCode::pea_lost, slot.last_error, slot.pod->name);
}

void Flow::Impl::end(std::string id, PendingRequests::Entry entry, Response response) {
  response.envelope.request_id = std::move(id);
  ++ended_count_;
  if (entry.done) entry.done(std::move(response));
}

void Flow::Impl::end_with(std::string id, PendingRequests::Entry entry, StatusCode code,
                          std::string message, std::string pod) {
  Response response;
  response.envelope.type = entry.type;
  response.envelope.status = {code, std::move(message), std::move(pod), ""};
  end(std::move(id), std::move(entry), std::move(response));
}

void Flow::Impl::fail_all(StatusCode code, const std::string& message, const std::string& pod) {
  for (auto& [id, entry] : pending_.take_all()) {
    Response response;
    response.envelope.request_id = id;
    response.envelope.type = entry.type;
    response.envelope.status = {code, message, pod, ""};
    ready_.emplace_back(std::move(entry.done), std::move(response));
  }
}

void Flow::Impl::fire_ready_callbacks() {
  while (!ready_.empty()) {
    auto [done, response] = std::move(ready_.front());
    ready_.pop_front();
    ++ended_count_;
    if (done) done(std::move(response));
  }
}

PeaSlot* Flow::Impl::find_slot(const std::string& name) {
  for (PeaSlot& slot : peas_) {
    if (slot.name == name) return &slot;
  }
  return nullptr;
}

std::vector<PeaStatus> Flow::Impl::status() const {
  std::vector<PeaStatus> out;
  for (const PeaSlot& slot : peas_) {
    PeaStatus s;
    s.pod = slot.pod->name;
    s.pea = slot.name;
    s.runtime = slot.handle ? slot.handle->runtime() : "";
    s.endpoint = slot.endpoint;
    s.pid = slot.handle ? slot.handle->pid() : 0;
    s.alive = slot.state == PeaSlot::State::wired;
    s.last_error = slot.last_error;
    out.push_back(std::move(s));
  }
  return out;
}

// ---- the public Flow: a thin owner of Impl ----

Flow::Flow(FlowSpec spec, FlowOptions options)
    : impl_(std::make_unique<Impl>(std::move(spec), std::move(options))) {}
Flow::~Flow() = default;
void Flow::start() {
  impl_->start();
}
std::string Flow::submit(Request request, ResponseCallback done, Duration timeout) {
  return impl_->submit(std::move(request), std::move(done), timeout);
}
std::size_t Flow::poll(Duration max_wait) {
  return impl_->poll(max_wait);
}

Response Flow::call(Request request, Duration timeout) {
  std::optional<Response> result;
  submit(
      std::move(request), [&result](Response&& r) { result = std::move(r); }, timeout);
  while (!result) poll(std::chrono::seconds(1));
  return std::move(*result);
}

void Flow::wait_all() {
  while (impl_->in_flight() > 0) poll(std::chrono::seconds(1));
  poll(Duration::zero());  // deliver anything that ended without a round trip
}

void Flow::close() {
  impl_->close();
}
std::size_t Flow::in_flight() const {
  return impl_->in_flight();
}
std::vector<PeaStatus> Flow::status() const {
  return impl_->status();
}
const FlowSpec& Flow::spec() const {
  return impl_->spec_;
}

}  // namespace jflow
