// The registry's arithmetic: which pea a reply's route names, what status each hop gets, which
// bucket a duration falls in.
#include "flow/flow_metrics.hpp"

#include <algorithm>
#include <utility>

namespace jflow::detail {
namespace {

// Seconds, from 100 µs (a hop on one host) to 10 s (a slow executor); base units, as Prometheus
// asks. Fixed, so that every pea's histogram can be summed with every other's.
constexpr std::array<double, 16> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                            0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                            1,      2.5,     5,      10};
constexpr std::size_t kSkipped = 6;

std::vector<RequestCount> counts_of(const auto& counts) {
  std::vector<RequestCount> out;
  for (std::size_t type = 0; type < counts.size(); ++type) {
    for (std::size_t status = 0; status < counts[type].size(); ++status) {
      if (counts[type][status] == 0) continue;
      const std::string name = status == kSkipped
                                   ? "skipped"
                                   : std::string(status_code_name(static_cast<StatusCode>(status)));
      out.push_back({static_cast<RequestType>(type), name, counts[type][status]});
    }
  }
  return out;
}

std::size_t index_of(StatusCode code) {
  return std::min<std::size_t>(static_cast<std::size_t>(code), kSkipped - 1);
}

std::size_t index_of(RequestType type) {
  return std::min<std::size_t>(static_cast<std::size_t>(type), 3);
}

}  // namespace

void MetricsRegistry::Histogram::observe(double seconds) {
  if (buckets.empty()) buckets.assign(kBounds.size() + 1, 0);
  seconds = std::max(seconds, 0.0);
  const auto* bound = std::lower_bound(kBounds.begin(), kBounds.end(), seconds);
  ++buckets[static_cast<std::size_t>(bound - kBounds.begin())];
  sum += seconds;
  ++count;
}

MetricsRegistry::MetricsRegistry(std::string flow) : flow_(std::move(flow)) {}

void MetricsRegistry::on_sent(std::size_t bytes) {
  std::lock_guard lock(mutex_);
  ++accepted_;
  ++in_flight_;
  sent_bytes_ += bytes;
}

void MetricsRegistry::on_refused(RequestType type, StatusCode code) {
  std::lock_guard lock(mutex_);
  ++refused_;
  ++requests_[index_of(type)][index_of(code)];
}

void MetricsRegistry::on_ended(RequestType type, StatusCode code) {
  std::lock_guard lock(mutex_);
  if (in_flight_ > 0) --in_flight_;
  ++requests_[index_of(type)][index_of(code)];
}

void MetricsRegistry::on_expired() {
  std::lock_guard lock(mutex_);
  ++expired_;
}

void MetricsRegistry::set_gateway_queue(std::size_t queued) {
  std::lock_guard lock(mutex_);
  gateway_queue_ = queued;
}

MetricsRegistry::Pea& MetricsRegistry::pea(const std::string& pod, const std::string& name) {
  auto [it, added] = pea_index_.try_emplace(name, peas_.size());
  if (added) {
    Pea& entry = peas_.emplace_back();
    entry.pod = pod;
    entry.pea = name;
  }
  return peas_[it->second];
}

void MetricsRegistry::Pea::new_incarnation() {
  received_before += received_now;
  sent_before += sent_now;
  received_now = 0;
  sent_now = 0;
  in_flight = 0;   // what the dead one held ended with it (in error, or re-dispatched)
  credit.reset();  // a replica's: unknown until its head has its new credit and reports it
}

void MetricsRegistry::on_restart(const std::string& pod, const std::string& name) {
  std::lock_guard lock(mutex_);
  Pea& entry = pea(pod, name);
  ++entry.restarts;
  entry.new_incarnation();
}

void MetricsRegistry::on_heartbeat(const std::string& pod, const std::string& name,
                                   const PeaReport& report) {
  std::lock_guard lock(mutex_);
  Pea& entry = pea(pod, name);
  // One incarnation's totals only grow: smaller ones are a new incarnation whose restart this
  // registry did not see, and must not make the counters go back.
  if (report.received_bytes < entry.received_now || report.sent_bytes < entry.sent_now)
    entry.new_incarnation();
  entry.received_now = report.received_bytes;
  entry.sent_now = report.sent_bytes;
  entry.in_flight = report.in_flight;
  for (const auto& [replica, credit] : report.replica_credits) pea(pod, replica).credit = credit;
}

void MetricsRegistry::on_reply(const Envelope& envelope, std::int64_t sent_ns, std::size_t bytes) {
  // Each hop's status, in route order: ok before the pod that set a failing status, that status
  // at its peas, "skipped" after (they forwarded the request without running it). A status the
  // gateway or no pea on the route set leaves every hop ok.
  const Status& status = envelope.status;
  const std::size_t type = index_of(envelope.type);
  bool failed_seen = false;
  std::lock_guard lock(mutex_);
  received_bytes_ += bytes;
  const std::vector<Route>& routes = envelope.routes;
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const Route& route = routes[i];
    if (i >= last_route_.size()) last_route_.push_back(0);
    std::size_t& cached = last_route_[i];
    if (cached >= peas_.size() || peas_[cached].pea != route.pea) {
      cached = static_cast<std::size_t>(&pea(route.pod, route.pea) - peas_.data());
    }
    Pea& hop = peas_[cached];
    std::size_t hop_status = index_of(StatusCode::ok);
    if (!status.ok() && route.pod == status.pod) {
      hop_status = index_of(status.code);
      failed_seen = true;
    } else if (failed_seen) {
      hop_status = kSkipped;
    }
    ++hop.requests[type][hop_status];
    if (route.end_ns >= route.start_ns && route.end_ns != 0)
      hop.processing.observe(static_cast<double>(route.end_ns - route.start_ns) * 1e-9);
    // Queued since the hop that handed it over: the latest earlier hop that had sent it on by
    // then (a route lists parallel shards one after the other, so "the one before" may not be).
    std::int64_t handed_over = sent_ns;
    for (std::size_t j = 0; j < i; ++j) {
      const std::int64_t end = routes[j].end_ns;
      if (end != 0 && end <= route.start_ns) handed_over = std::max(handed_over, end);
    }
    hop.queued.observe(static_cast<double>(route.start_ns - handed_over) * 1e-9);
  }
}

FlowMetrics MetricsRegistry::snapshot() const {
  const auto histogram = [](const Histogram& h) {
    DurationHistogram out;
    out.upper_bounds.assign(kBounds.begin(), kBounds.end());
    out.bucket_counts =
        h.buckets.empty() ? std::vector<std::uint64_t>(kBounds.size() + 1, 0) : h.buckets;
    out.sum_seconds = h.sum;
    out.count = h.count;
    return out;
  };
  std::lock_guard lock(mutex_);
  FlowMetrics out;
  out.flow = flow_;
  out.accepted = accepted_;
  out.refused = refused_;
  out.expired = expired_;
  out.in_flight = in_flight_;
  out.gateway_queue = gateway_queue_;
  out.sent_bytes = sent_bytes_;
  out.received_bytes = received_bytes_;
  out.requests = counts_of(requests_);
  for (const Pea& pea : peas_) {
    out.peas.push_back({pea.pod, pea.pea, counts_of(pea.requests), histogram(pea.processing),
                        histogram(pea.queued), pea.restarts, pea.received_before + pea.received_now,
                        pea.sent_before + pea.sent_now, pea.in_flight, pea.credit});
  }
  return out;
}

}  // namespace jflow::detail
