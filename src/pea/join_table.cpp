#include "pea/join_table.hpp"

#include <algorithm>

namespace jflow {
namespace {

constexpr std::size_t kRememberDone = 65536;

// Adds the hops of `part` that `route` does not hold yet. The parts of one request share the hops
// before they parted (copied verbatim, timings included, so an equal entry is the same hop), and a
// hop after the parting appears in one part only: the merge names each pea once, in an order where
// every hop follows the hops before it on its own path, and keeps every shard's own timings.
void merge_route(std::vector<Route>& route, const std::vector<Route>& part) {
  for (const Route& hop : part) {
    if (std::find(route.begin(), route.end(), hop) == route.end()) route.push_back(hop);
  }
}

}  // namespace

JoinTable::JoinTable(std::string pod, std::vector<std::string> senders, Duration join_timeout,
                     bool flag_lost_parts)
    : pod_(std::move(pod)),
      senders_(std::move(senders)),
      join_timeout_(join_timeout),
      flag_lost_parts_(flag_lost_parts) {}

std::optional<Message> JoinTable::add(Message part) {
  const std::string& id = part.envelope().request_id;
  if (done_.count(id) != 0) return std::nullopt;
  // The sender is the pea of the part's last route (the tail's route is added after the join).
  std::string sender = part.envelope().routes.empty() ? "" : part.envelope().routes.back().pea;
  auto it = pending_.find(id);
  if (it == pending_.end()) {
    SteadyTime expires = steady_now() + join_timeout_;
    if (std::int64_t deadline = part.envelope().deadline_ns; deadline != 0) {
      auto left = std::chrono::nanoseconds(deadline - unix_now_ns());
      expires = std::min(expires, steady_now() + std::max(left, std::chrono::nanoseconds(0)));
    }
    it = pending_.emplace(id, Pending{expires, {}}).first;
  }
  it->second.parts.emplace(std::move(sender), std::move(part));  // a duplicate sender is ignored
  if (it->second.parts.size() < senders_.size()) return std::nullopt;
  Message joined = join(it->second);
  remember_done(it->first);
  pending_.erase(it);
  return joined;
}

std::vector<Message> JoinTable::expire(SteadyTime now) {
  std::vector<Message> expired;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.expires > now) {
      ++it;
      continue;
    }
    std::string missing;
    for (const std::string& sender : senders_) {
      if (it->second.parts.count(sender) == 0)
        missing += (missing.empty() ? "'" : ", '") + sender + "'";
    }
    Message joined = join(it->second);
    Status& status = joined.envelope().status;
    if (status.ok()) {
      status = {StatusCode::timeout, "pod '" + pod_ + "' waited in vain for parts from " + missing,
                pod_, ""};
    }
    expired.push_back(std::move(joined));
    remember_done(it->first);
    it = pending_.erase(it);
  }
  return expired;
}

std::optional<SteadyTime> JoinTable::next_expiry() const {
  std::optional<SteadyTime> next;
  for (const auto& [id, pending] : pending_) {
    if (!next || pending.expires < *next) next = pending.expires;
  }
  return next;
}

// One envelope for the whole: the parts' routes merged (the shared hops once, then each part's
// own), and the first error any part carries; the bodies of the parts that succeeded, for the
// pod's merge driver (or default concatenation).
// With flag_lost_parts, lost shards' parts are left out instead of failing the whole, as long as
// some part succeeded and no part failed for another reason.
Message JoinTable::join(Pending& pending) {
  Envelope envelope = pending.parts.begin()->second.envelope();
  envelope.routes.clear();
  envelope.status = {};
  std::vector<zmq::message_t> bodies;
  std::string lost;  // "'s/2' (replica 's/2' lost: …)", for the flag
  std::string note;  // an ok part's own note (a partial result from upstream), passed on
  for (auto& [sender, part] : pending.parts) {
    const Envelope& e = part.envelope();
    merge_route(envelope.routes, e.routes);
    if (flag_lost_parts_ && e.status.code == StatusCode::pea_lost) {
      lost += (lost.empty() ? "'" : "; '") + sender + "' (" + e.status.message + ")";
      continue;
    }
    if (!e.status.ok()) {
      if (envelope.status.ok()) envelope.status = e.status;
      continue;
    }
    if (note.empty()) note = e.status.message;
    bodies.push_back(part.take_body());
  }
  if (envelope.status.ok() && !lost.empty()) {
    if (bodies.empty()) {
      envelope.status = {StatusCode::pea_lost, "pod '" + pod_ + "': every shard was lost: " + lost,
                         pod_, ""};
    } else {
      envelope.status = {StatusCode::ok,
                         "partial result in pod '" + pod_ + "': " + std::to_string(bodies.size()) +
                             " of " + std::to_string(senders_.size()) +
                             " shards answered; lost: " + lost,
                         pod_, ""};
    }
  } else if (!envelope.status.ok() && pending.parts.size() > 1) {
    envelope.status.message = "partial result in pod '" + pod_ + "': " + envelope.status.message;
  } else if (envelope.status.ok()) {
    envelope.status.message = note;  // keep an upstream partial-result flag visible
  }
  return Message(std::move(envelope), std::move(bodies));
}

void JoinTable::remember_done(const std::string& request_id) {
  done_.insert(request_id);
  done_order_.push_back(request_id);
  if (done_order_.size() > kRememberDone) {
    done_.erase(done_order_.front());
    done_order_.pop_front();
  }
}

}  // namespace jflow
