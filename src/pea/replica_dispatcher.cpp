#include "pea/replica_dispatcher.hpp"

#include "base/clock.hpp"
#include "control/credit.hpp"
#include "jflow/codec.hpp"
#include "jflow/log.hpp"
#include "wire/receive_frames.hpp"

namespace jflow {
namespace {

// Past this many requests waiting for credit, the head stops reading input (back-pressure).
constexpr std::size_t kMaxWaiting = 512;

}  // namespace

ReplicaDispatcher::Outgoing ReplicaDispatcher::Outgoing::copy() const {
  Outgoing out{{}, request_id, deadline_ns};
  out.frames[0].copy(const_cast<zmq::message_t&>(frames[0]));
  out.frames[1].copy(const_cast<zmq::message_t&>(frames[1]));
  return out;
}

ReplicaDispatcher::ReplicaDispatcher(zmq::context_t& context, std::string pod, Polling polling,
                                     Scheduling scheduling,
                                     const std::vector<std::string>& replicas, PeaOutputs& to_tail)
    : pod_(std::move(pod)),
      polling_(polling),
      scheduling_(scheduling),
      router_(context, zmq::socket_type::router),
      to_tail_(to_tail) {
  router_.set(zmq::sockopt::router_mandatory, true);
  // A restarted replica connects under its predecessor's name, maybe before this socket has
  // noticed the old connection is gone: the new connection takes the name over.
  router_.set(zmq::sockopt::router_handover, true);
  router_.set(zmq::sockopt::linger, 0);
  for (const std::string& name : replicas) replicas_.emplace_back().name = name;
}

void ReplicaDispatcher::dispatch(Message&& message) {
  // The head forwards the envelope as it arrived, with its own route appended: it neither
  // decodes the routes nor encodes the envelope again.
  Outgoing outgoing{{message.envelope_to_send(), message.take_body()},
                    std::string(message.request_id()),
                    message.envelope_core().deadline_ns};
  if (polling_ == Polling::any) {
    waiting_.push_back(std::move(outgoing));
  } else {
    for (Replica& replica : replicas_) {
      if (!replica.alive) {
        fail_to_tail(outgoing, replica.name, lost_[replica.name]);
      } else {
        replica.queue.push_back(outgoing.copy());
      }
    }
  }
  pump();
}

// A replica that died has its connection dropped before the orchestrator notices and says so
// (replica_lost); ROUTER_MANDATORY then refuses the send. Nothing was sent: the request stays with
// the caller, and the replica gets nothing more until it reports credit again or is declared lost.
bool ReplicaDispatcher::send_to(Replica& replica, Outgoing& outgoing) {
  try {
    router_.send(zmq::buffer(replica.name), zmq::send_flags::sndmore);
  } catch (const zmq::error_t& e) {
    if (e.num() != EHOSTUNREACH) throw;
    replica.credit = 0;
    return false;
  }
  Outgoing held = outgoing.copy();
  sent_bytes_ += outgoing.frames[0].size() + outgoing.frames[1].size();
  router_.send(outgoing.frames[0], zmq::send_flags::sndmore);
  router_.send(outgoing.frames[1], zmq::send_flags::none);
  --replica.credit;
  ++replica.dispatched;
  replica.held.emplace(held.request_id, std::move(held));
  return true;
}

void ReplicaDispatcher::pump() {
  if (polling_ == Polling::any) {
    bool any_alive = false;
    for (const Replica& replica : replicas_) any_alive |= replica.alive;
    while (!waiting_.empty()) {
      if (!any_alive) {
        std::string why;
        for (const auto& [name, reason] : lost_)
          why += (why.empty() ? "" : "; ") + name + ": " + reason;
        fail_to_tail(waiting_.front(), "", "no live replica in pod '" + pod_ + "' (" + why + ")");
        waiting_.pop_front();
        continue;
      }
      Replica* replica = pick();
      if (replica == nullptr) return;
      if (send_to(*replica, waiting_.front())) waiting_.pop_front();
    }
  } else {
    for (Replica& replica : replicas_) {
      while (replica.alive && replica.credit > 0 && !replica.queue.empty()) {
        if (!send_to(replica, replica.queue.front())) break;
        replica.queue.pop_front();
      }
    }
  }
}

ReplicaDispatcher::Replica* ReplicaDispatcher::pick() {
  Replica* best = nullptr;
  if (scheduling_ == Scheduling::round_robin) {
    for (std::size_t i = 0; i < replicas_.size(); ++i) {
      Replica& candidate = replicas_[(next_turn_ + i) % replicas_.size()];
      if (candidate.alive && candidate.credit > 0) {
        next_turn_ = (next_turn_ + i + 1) % replicas_.size();
        return &candidate;
      }
    }
    return nullptr;
  }
  for (Replica& candidate : replicas_) {
    if (!candidate.alive || candidate.credit <= 0) continue;
    if (best == nullptr || candidate.credit > best->credit) best = &candidate;
  }
  return best;
}

void ReplicaDispatcher::on_readable() {
  while (true) {
    std::vector<zmq::message_t>& frames = report_frames_;
    if (!receive_frames(router_, frames)) break;
    if (frames.size() != 3) continue;  // only replicas talk to this socket; ignore anything else
    Replica* replica = find(frames[0].to_string());
    if (replica == nullptr) continue;
    credit::Report report;
    try {
      report = credit::read_report(frames[1], frames[2]);
    } catch (const DecodeError& e) {
      log(LogLevel::warn, "head of '" + pod_ + "': ignored a report of replica '" + replica->name +
                              "': " + e.what());
      continue;
    }
    if (report.kind == credit::Report::Kind::credit) {
      // Credit under a lost replica's name is its restarted successor (the orchestrator said
      // replica_lost before it started the new one): the pod has it back.
      if (!replica->alive) revive(*replica);
      replica->connected = true;
      replica->credit += report.credit;
    } else if (!replica->alive) {
      continue;  // a late report of the lost replica: what it held was dealt with already
    } else if (auto held = replica->held.find(report.request_id); held != replica->held.end()) {
      replica->held.erase(held);
      ++replica->credit;
    }
  }
  pump();
}

void ReplicaDispatcher::replica_lost(const std::string& name, const std::string& reason) {
  Replica* replica = find(name);
  if (replica == nullptr || !replica->alive) return;
  replica->alive = false;
  replica->credit = 0;
  lost_[name] = reason;
  std::int64_t now = unix_now_ns();
  for (auto& [id, held] : replica->held) {
    bool can_retry = polling_ == Polling::any && (held.deadline_ns == 0 || held.deadline_ns > now);
    if (can_retry) {
      waiting_.push_front(std::move(held));
    } else {
      fail_to_tail(held, name, reason);
    }
  }
  replica->held.clear();
  for (const Outgoing& outgoing : replica->queue) fail_to_tail(outgoing, name, reason);
  replica->queue.clear();
  pump();
}

void ReplicaDispatcher::revive(Replica& replica) {
  replica.alive = true;
  replica.credit = 0;
  lost_.erase(replica.name);
}

void ReplicaDispatcher::fail_to_tail(const Outgoing& outgoing, const std::string& replica,
                                     const std::string& reason) {
  const zmq::message_t& head = outgoing.frames[0];
  Envelope envelope = decode_envelope(std::string_view(head.data<char>(), head.size()));
  std::string text = replica.empty() ? reason : "replica '" + replica + "' lost: " + reason;
  log(LogLevel::error, "request " + envelope.request_id + " failed: " + text, envelope.traceparent);
  envelope.status = {StatusCode::pea_lost, text, pod_, ""};
  // Appear to come from the lost replica, so the tail's join counts this part in its place.
  std::int64_t now = unix_now_ns();
  if (!replica.empty()) envelope.routes.push_back({pod_, replica, now, now});
  std::string bytes = encode_envelope(envelope);
  zmq::message_t body;
  body.copy(const_cast<zmq::message_t&>(outgoing.frames[1]));
  to_tail_.send(zmq::message_t(bytes.data(), bytes.size()), std::move(body));
}

bool ReplicaDispatcher::saturated() const {
  return waiting() > kMaxWaiting;
}

std::size_t ReplicaDispatcher::waiting() const {
  std::size_t total = waiting_.size();
  for (const Replica& replica : replicas_) total += replica.queue.size();
  return total;
}

std::int64_t ReplicaDispatcher::dispatched(const std::string& name) const {
  for (const Replica& replica : replicas_) {
    if (replica.name == name) return replica.dispatched;
  }
  return 0;
}

std::int64_t ReplicaDispatcher::credit(const std::string& name) const {
  for (const Replica& replica : replicas_) {
    if (replica.name == name) return replica.alive ? replica.credit : 0;
  }
  return 0;
}

std::size_t ReplicaDispatcher::held() const {
  std::size_t total = 0;
  for (const Replica& replica : replicas_) total += replica.held.size();
  return total;
}

std::vector<std::string> ReplicaDispatcher::unconnected() const {
  std::vector<std::string> names;
  for (const Replica& replica : replicas_) {
    if (!replica.connected) names.push_back(replica.name);
  }
  return names;
}

ReplicaDispatcher::Replica* ReplicaDispatcher::find(const std::string& name) {
  for (Replica& replica : replicas_) {
    if (replica.name == name) return &replica;
  }
  return nullptr;
}

}  // namespace jflow
