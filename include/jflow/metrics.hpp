// FlowMetrics: a snapshot of what a running flow has done — requests by type and status, per
// flow and per pea, the time each pea held them and the time they waited before it, what is in
// flight and queued, the bytes that crossed the gateway. Flow::metrics() and AsyncFlow::metrics()
// return one; prometheus_text() writes it in the Prometheus text exposition format (what
// `GET /metrics` and `jflow run --metrics` serve; the names are in docs/OPERATING.md).
//
//   jflow::FlowMetrics m = flow.metrics();
//   for (const jflow::PeaMetrics& pea : m.peas) std::cout << pea.pea << " " << pea.requests.size();
//   std::string text = jflow::prometheus_text(m);
//
// Requests are counted at the gateway, from what the replies carry (their status and the route
// with its timings, docs/PROTOCOL.md), so the counts are exact for every reply that arrives; a
// request that ended without a reply (deadline passed, pea lost, flow closed) is counted in the
// flow's figures only. A pea's bytes, in-flight requests and a replica's credit come from the
// peas' heartbeats: they are as of the pea's last one. A snapshot is a plain value: it may be read
// on any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jflow/request.hpp"

namespace jflow {

// Requests of one type that ended with one status. `status` is a status code's name (ok, error,
// timeout, pea_lost, bad_request, closed) or, for a pea, "skipped": the request reached it
// already failed, so it forwarded it without running it.
struct RequestCount {
  RequestType type = RequestType::index;
  std::string status;
  std::uint64_t count = 0;
  bool operator==(const RequestCount&) const = default;
};

// A histogram of durations in seconds. `bucket_counts[i]` counts the observations ≤
// `upper_bounds[i]` and above the bound before it (not cumulative); the last entry of
// bucket_counts, one more than there are bounds, counts those above every bound.
struct DurationHistogram {
  std::vector<double> upper_bounds;
  std::vector<std::uint64_t> bucket_counts;
  double sum_seconds = 0;
  std::uint64_t count = 0;
};

struct PeaMetrics {
  std::string pod;
  std::string pea;
  std::vector<RequestCount> requests;  // the replies whose route passed this pea
  DurationHistogram processing;        // route end - start: the time the pea held a request
  // The time between the previous hop (or the gateway's send) and this pea taking the request:
  // the sockets' queues, and the head's queue for a replica. Hops on hosts whose clocks disagree
  // can make it negative; it is then counted as zero.
  DurationHistogram queued;
  std::uint64_t restarts = 0;  // times the flow started this pea again after it died (restart:)
  // From the pea's heartbeats, so as of its last one (FlowOptions::heartbeat_interval ago at
  // most); the byte totals include those of its incarnations before a restart.
  std::uint64_t received_bytes = 0;  // request frames read from its input (envelope and body)
  std::uint64_t sent_bytes = 0;      // request frames sent on: downstream, or a head's to replicas
  // Requests it holds: deferred by a driver, waiting to be joined, in its outbox; for a head,
  // those waiting for a replica's credit and those its replicas hold.
  std::uint64_t in_flight = 0;
  // A replica: the requests its head may still hand it (its credit), as the head last reported.
  std::optional<std::uint64_t> credit;
};

struct FlowMetrics {
  std::string flow;                    // the flow's name: its file's stem ("flow" when none)
  std::uint64_t accepted = 0;          // requests sent into the flow
  std::uint64_t refused = 0;           // requests ended at once: the flow could no longer serve
  std::uint64_t expired = 0;           // requests whose deadline passed before their reply came
  std::uint64_t in_flight = 0;         // accepted and not yet ended
  std::uint64_t gateway_queue = 0;     // accepted and waiting in the gateway for a socket
  std::uint64_t sent_bytes = 0;        // request frames the gateway sent (envelope and body)
  std::uint64_t received_bytes = 0;    // reply frames the gateway read
  std::vector<RequestCount> requests;  // every request that ended, by type and status
  std::vector<PeaMetrics> peas;        // in the order they were first heard of
};

// The snapshot in the Prometheus text exposition format (version 0.0.4), label values escaped.
std::string prometheus_text(const FlowMetrics& metrics);

}  // namespace jflow
