// The request path of a running flow: send requests into the first pea, match replies from the
// last pea to their callers by request_id, expire deadlines, and notice dead peas.
#include "jflow/flow.hpp"

#include <iostream>
#include <limits>

#include <zmq_addon.hpp>

#include "control/control.hpp"
#include "control/control_channel.hpp"
#include "flow/flow_impl.hpp"
#include "jflow/async_flow.hpp"
#include "jflow/codec.hpp"
#include "wire/frame.hpp"

namespace jflow::detail {
namespace {

// Replies read per process() call, so one busy flow cannot starve the host loop; the fd stays
// readable while more wait.
constexpr std::size_t kBatch = 256;

}  // namespace

std::string FlowCore::submit(Request request, ResponseCallback done, Duration timeout) {
  check_owner("submit");
  if (phase_ == Phase::idle) throw FlowError("submit: the flow is not started");
  if (phase_ == Phase::starting) throw FlowError("submit: the flow is still starting");
  if (phase_ != Phase::running) throw FlowError("submit: the flow is closed");
  // Back-pressure: at most max_in_flight requests travel at once; the caller waits, not a queue.
  if (at_capacity()) {
    throw FlowError("submit: " + std::to_string(options_.max_in_flight) +
                    " requests in flight (max_in_flight); wait for replies");
  }

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
    if (!in_process_) rearm();
    return id;
  }
  Envelope envelope;
  envelope.request_id = id;
  envelope.type = request.type;
  if (timeout > Duration::zero()) {
    envelope.deadline_ns = unix_now_ns() + timeout.count();
    entry.deadline = steady_now() + timeout;
  }
  encode_envelope_into(envelope, envelope_bytes_);
  Frames frames{zmq::message_t(envelope_bytes_.data(), envelope_bytes_.size()),
                frame_from(encode_body(request))};
  pending_.add(id, std::move(entry));
  if (!outbox_.empty() || !try_send(frames)) outbox_.push_back(std::move(frames));
  // Sending may have consumed the sockets' edge (ZMQ_FD) and a deadline may be new: re-arm so
  // the fd tells the truth. Inside process() the final re-arm does it.
  if (!in_process_) rearm_after_submit();
  return id;
}

bool FlowCore::try_send(Frames& frames) {
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

void FlowCore::flush_outbox() {
  while (!outbox_.empty() && try_send(outbox_.front())) outbox_.pop_front();
}

void FlowCore::drain_control() {
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

void FlowCore::handle_control(const ControlMessage& message) {
  PeaSlot* slot = find_slot(message.pea);
  if (slot == nullptr) return;
  slot->last_seen = steady_now();
  if (message.command == control::kRejected) {
    const std::string why = text_field(message, "message", "?");
    slot->last_error = why;
    std::cerr << "jflow: pea '" << slot->name << "' rejected a message: " << why << "\n";
  }
}

void FlowCore::read_results(std::size_t budget) {
  for (std::size_t i = 0; i < std::min(budget, kBatch); ++i) {
    std::vector<zmq::message_t>& frames = reply_frames_;  // kept: no allocation per reply
    frames.clear();
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

void FlowCore::expire_deadlines() {
  for (auto& [id, entry] : pending_.take_expired(steady_now())) {
    std::string message =
        "no reply within " + format_duration(entry.timeout) + " (deadline passed)";
    end_with(id, std::move(entry), StatusCode::timeout, message, "gateway");
  }
}

void FlowCore::check_health() {
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

void FlowCore::mark_dead(PeaSlot& slot, const std::string& how) {
  slot.state = PeaSlot::State::dead;
  std::string who = "pea '" + slot.name + "'";
  if (slot.handle->pid() != 0) who += " (pid " + std::to_string(slot.handle->pid()) + ")";
  if (!slot.handle->host().empty()) who += " on host " + slot.handle->host();
  slot.last_error = who + " " + how;
  std::cerr << "jflow: " << slot.last_error << "\n";
  if (slot.plan->role == PeaRole::replica) {
    // The pod lives on with its other replicas: its head re-dispatches or fails (naming this
    // replica) exactly the requests the dead one held.
    ControlMessage lost;
    lost.command = control::kReplicaLost;
    lost.pea = slot.plan->head;
    lost.fields["replica"] = slot.name;
    lost.fields["reason"] = how;
    if (control_) send_control_to(*control_, lost);
    return;
  }
  if (!broken_) {
    broken_ = slot.last_error;
    broken_pod_ = slot.pod->name;
  }
  // A head, tail or lone pea has no stand-in: whatever was in flight may be inside it or queued
  // for it, so every pending request ends now, naming the pea.
  outbox_.clear();
  fail_all(StatusCode::pea_lost, slot.last_error, slot.pod->name);
}

void FlowCore::end(std::string id, PendingRequests::Entry entry, Response response) {
  response.envelope.request_id = std::move(id);
  ++ended_count_;
  if (entry.done) entry.done(std::move(response));
}

void FlowCore::end_with(std::string id, PendingRequests::Entry entry, StatusCode code,
                        std::string message, std::string pod) {
  Response response;
  response.envelope.type = entry.type;
  response.envelope.status = {code, std::move(message), std::move(pod), ""};
  end(std::move(id), std::move(entry), std::move(response));
}

void FlowCore::fail_all(StatusCode code, const std::string& message, const std::string& pod) {
  for (auto& [id, entry] : pending_.take_all()) {
    Response response;
    response.envelope.request_id = id;
    response.envelope.type = entry.type;
    response.envelope.status = {code, message, pod, ""};
    ready_.emplace_back(std::move(entry.done), std::move(response));
  }
}

void FlowCore::fire_ready_callbacks(std::size_t budget) {
  for (std::size_t i = 0; i < budget && !ready_.empty(); ++i) {
    auto [done, response] = std::move(ready_.front());
    ready_.pop_front();
    ++ended_count_;
    if (done) done(std::move(response));
  }
}

PeaSlot* FlowCore::find_slot(const std::string& name) {
  for (PeaSlot& slot : peas_) {
    if (slot.name == name) return &slot;
  }
  return nullptr;
}

std::vector<PeaStatus> FlowCore::status() const {
  std::vector<PeaStatus> out;
  for (const PeaSlot& slot : peas_) {
    PeaStatus s;
    s.pod = slot.pod->name;
    s.pea = slot.name;
    s.runtime = slot.handle ? slot.handle->runtime() : "";
    s.endpoint = slot.endpoints.in.empty() ? slot.endpoints.router : slot.endpoints.in;
    s.pid = slot.handle ? slot.handle->pid() : 0;
    s.alive = slot.state == PeaSlot::State::wired;
    s.last_error = slot.last_error;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace jflow::detail

namespace jflow {

// ---- the public Flow: an AsyncFlow and its own loop ----

Flow::Flow(FlowSpec spec, FlowOptions options)
    : async_(std::make_unique<AsyncFlow>(std::move(spec), std::move(options))) {}
Flow::~Flow() = default;

void Flow::start() {
  std::optional<FlowError> error;
  bool done = false;
  async_->start_async([&](const std::optional<FlowError>& e) {
    error = e;
    done = true;
  });
  while (!done) poll(std::chrono::seconds(1));
  if (error) throw *error;
}

std::string Flow::submit(Request request, ResponseCallback done, Duration timeout) {
  // The blocking form of back-pressure: wait for replies instead of refusing.
  while (async_->state() == AsyncFlow::State::running && async_->at_capacity())
    poll(std::chrono::milliseconds(50));
  return async_->submit(std::move(request), std::move(done), timeout);
}

std::size_t Flow::poll(Duration max_wait) {
  std::size_t ended = async_->process();
  if (ended > 0 || async_->state() == AsyncFlow::State::idle ||
      async_->state() == AsyncFlow::State::closed)
    return ended;
  wait_readable(async_->native_handle(), max_wait);
  return async_->process();
}

Response Flow::call(Request request, Duration timeout) {
  std::optional<Response> result;
  submit(
      std::move(request), [&result](Response&& r) { result = std::move(r); }, timeout);
  while (!result) poll(std::chrono::seconds(1));
  return std::move(*result);
}

void Flow::wait_all() {
  while (async_->in_flight() > 0) poll(std::chrono::seconds(1));
  poll(Duration::zero());  // deliver anything that ended without a round trip
}

void Flow::close() {
  async_->close();
}
int Flow::native_handle() const {
  return async_->native_handle();
}
std::size_t Flow::in_flight() const {
  return async_->in_flight();
}
std::vector<PeaStatus> Flow::status() const {
  return async_->status();
}
const std::vector<std::string>& Flow::close_problems() const {
  return async_->close_problems();
}
const FlowSpec& Flow::spec() const {
  return async_->spec();
}

}  // namespace jflow
