// MetricsRegistry: the counters and histograms behind FlowMetrics (jflow/metrics.hpp). The
// Gateway records every request it sends and every way one ends; the route a reply carries gives
// the per-pea figures. One mutex guards it all, so snapshot() may run on any thread (an HTTP
// handler scraping /metrics) while the flow's owner records: the lock is held for a few
// additions per request. The pea supervisor records restarts and heartbeats (bytes, in flight,
// credits) the same way. Private to jflow_core.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "jflow/envelope.hpp"
#include "jflow/metrics.hpp"

namespace jflow::detail {

// What a pea's heartbeat says about it (control.hpp): its byte totals since it started, what it
// holds now, and for a head each replica's credit.
struct PeaReport {
  std::uint64_t received_bytes = 0;
  std::uint64_t sent_bytes = 0;
  std::uint64_t in_flight = 0;
  std::vector<std::pair<std::string, std::uint64_t>> replica_credits;  // replica → credit
};

class MetricsRegistry {
 public:
  explicit MetricsRegistry(std::string flow);

  void on_sent(std::size_t bytes);                     // accepted into the flow
  void on_refused(RequestType type, StatusCode code);  // ended at once, never sent
  // An accepted request ended: by its reply, its deadline, or the flow breaking or closing.
  void on_ended(RequestType type, StatusCode code);
  void on_expired();  // its deadline passed before its reply came (then on_ended)
  // A reply arrived for a pending request (`sent_ns`: when the gateway sent it, unix ns).
  void on_reply(const Envelope& envelope, std::int64_t sent_ns, std::size_t bytes);
  void set_gateway_queue(std::size_t queued);
  // A dead pea started again: its byte totals so far are kept, the new incarnation's added on.
  void on_restart(const std::string& pod, const std::string& pea);
  void on_heartbeat(const std::string& pod, const std::string& pea, const PeaReport& report);

  FlowMetrics snapshot() const;

 private:
  static constexpr std::size_t kTypes = 4;
  static constexpr std::size_t kStatuses = 7;  // the six status codes, then "skipped"
  using Counts = std::array<std::array<std::uint64_t, kStatuses>, kTypes>;
  struct Histogram {
    std::vector<std::uint64_t> buckets;
    double sum = 0;
    std::uint64_t count = 0;
    void observe(double seconds);
  };
  struct Pea {
    std::string pod;
    std::string pea;
    Counts requests{};
    Histogram processing;
    Histogram queued;
    std::uint64_t restarts = 0;
    // Bytes as [dead incarnations' totals, the running one's last reported total]: a restarted
    // pea counts from 0 again, and the sum must not go back.
    std::uint64_t received_before = 0;
    std::uint64_t received_now = 0;
    std::uint64_t sent_before = 0;
    std::uint64_t sent_now = 0;
    std::uint64_t in_flight = 0;
    std::optional<std::uint64_t> credit;  // a replica: its head's last report
    void new_incarnation();
  };
  Pea& pea(const std::string& pod, const std::string& name);

  mutable std::mutex mutex_;
  std::string flow_;
  std::uint64_t accepted_ = 0;
  std::uint64_t refused_ = 0;
  std::uint64_t expired_ = 0;
  std::uint64_t in_flight_ = 0;
  std::uint64_t gateway_queue_ = 0;
  std::uint64_t sent_bytes_ = 0;
  std::uint64_t received_bytes_ = 0;
  Counts requests_{};
  std::vector<Pea> peas_;
  std::unordered_map<std::string, std::size_t> pea_index_;  // pea name → peas_
  // The peas_ index of each hop of the last reply's route: the next reply almost always takes
  // the same route, and comparing a name is cheaper than hashing it (peas_ only grows).
  std::vector<std::size_t> last_route_;
};

}  // namespace jflow::detail
