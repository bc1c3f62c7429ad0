// Measurement: what one timed run of a chain (raw or flow) produced, and the figures derived from
// it. Both systems fill the same struct from the same clock, so the table compares like with like.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

#include <sys/types.h>
#include <time.h>

namespace jflow::bench {

using BenchClock = std::chrono::steady_clock;

struct Measurement {
  std::size_t requests = 0;
  std::size_t docs_per_request = 0;
  double seconds = 0.0;
  std::vector<std::int64_t> latencies_ns;  // one round trip per request, submit to reply
  std::int64_t client_cpu_ns = 0;          // this process: sending, receiving, (de)coding
  std::int64_t hops_cpu_ns = 0;            // the hop (or pea) processes together

  double requests_per_second() const { return seconds > 0 ? requests / seconds : 0.0; }
  double docs_per_second() const { return requests_per_second() * docs_per_request; }
};

// The q-quantile (0..1) of `samples` in microseconds; sorts in place. Nearest-rank is enough here:
// with thousands of samples the choice of interpolation is far below run-to-run noise.
inline double quantile_us(std::vector<std::int64_t>& samples, double q) {
  if (samples.empty()) return 0.0;
  auto rank = static_cast<std::size_t>(q * static_cast<double>(samples.size() - 1) + 0.5);
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank),
                   samples.end());
  return static_cast<double>(samples[rank]) / 1000.0;
}

// CPU time a process (all its threads) has used so far, in ns; pid 0 is this process. CPU per
// request is a steadier measure than the rate on a shared machine: other load slows a run down
// but does not add to the work the chain itself does. Returns -1 if the clock cannot be read.
inline std::int64_t process_cpu_ns(pid_t pid) {
  clockid_t clock = 0;
  timespec now{};
  if (clock_getcpuclockid(pid, &clock) != 0 || clock_gettime(clock, &now) != 0) return -1;
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// Measures the CPU a set of processes uses between construction and stop().
class CpuMeter {
 public:
  explicit CpuMeter(std::vector<pid_t> hops) : hops_(std::move(hops)) {
    client_start_ = process_cpu_ns(0);
    hops_start_ = hops_cpu();
  }
  void stop(Measurement& m) const {
    m.client_cpu_ns = process_cpu_ns(0) - client_start_;
    m.hops_cpu_ns = hops_cpu() - hops_start_;
  }

 private:
  std::int64_t hops_cpu() const {
    std::int64_t total = 0;
    for (pid_t pid : hops_) total += std::max<std::int64_t>(0, process_cpu_ns(pid));
    return total;
  }
  std::vector<pid_t> hops_;
  std::int64_t client_start_ = 0;
  std::int64_t hops_start_ = 0;
};

inline std::int64_t elapsed_ns(BenchClock::time_point since) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(BenchClock::now() - since).count();
}

}  // namespace jflow::bench
