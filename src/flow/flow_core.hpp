// FlowCore: the one engine behind AsyncFlow and Flow, and a small coordinator of its parts:
//   PeaSupervisor  the peas: launch, bring-up, health, stop        (flow/pea_supervisor.hpp)
//   Gateway        requests out, replies in, deadlines, results    (flow/gateway.hpp)
//   WakeFd         the one fd the host loop watches                (flow/wake_fd.hpp)
// FlowCore owns the flow's phase (idle → starting → running → closing → stopping → closed) and
// process(), which advances whatever is ready without blocking; it never owns a thread. After
// every process() and submit() it re-arms the WakeFd so the fd tells the truth.
// Private to jflow_core.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "base/clock.hpp"
#include "flow/flow_metrics.hpp"
#include "flow/gateway.hpp"
#include "flow/pea_supervisor.hpp"
#include "flow/wake_fd.hpp"
#include "jflow/async_flow.hpp"
#include "spec/flow_graph.hpp"

namespace jflow::detail {

class FlowCore {
 public:
  enum class Phase { idle, starting, running, closing, stopping, closed };

  FlowCore(FlowSpec spec, FlowOptions options);
  ~FlowCore();

  // Non-blocking; the steps are advanced by process().
  void start_async(StartedCallback on_started);
  void close_async(ClosedCallback on_closed);

  std::string submit(Request request, ResponseCallback done, Duration timeout);
  bool at_capacity() const {
    return gateway_.in_flight() >= options_.max_in_flight && !gateway_.refusing();
  }

  std::size_t process(std::size_t budget);
  std::optional<Duration> next_timeout() const;
  int native_handle() const { return wake_.fd(); }
  void check_owner(const char* what) const;
  void adopt_current_thread() { owner_ = std::this_thread::get_id(); }

  Phase phase() const { return phase_; }
  std::size_t in_flight() const { return gateway_.in_flight(); }
  std::vector<PeaStatus> status() const { return supervisor_.status(); }
  std::vector<PodHealth> health() const {
    return phase_ == Phase::idle ? std::vector<PodHealth>{} : supervisor_.health();
  }
  const std::vector<std::string>& close_problems() const { return supervisor_.close_problems(); }
  const FlowSpec& spec() const { return spec_; }
  FlowMetrics metrics() const { return metrics_.snapshot(); }  // any thread

 private:
  void step_start(SteadyTime now);
  void fail_start(const std::string& why);
  void step_running(SteadyTime now, std::size_t budget);
  void step_close(SteadyTime now);
  void begin_stop(SteadyTime now);
  void step_stop(SteadyTime now);

  void rearm();
  void rearm_after_submit();  // rearm() for when only the gateway's sockets were touched
  void signal_and_arm();      // the WakeFd part of both
  bool has_ready_work();
  std::optional<SteadyTime> next_wakeup() const;

  FlowSpec spec_;
  FlowOptions options_;
  FlowGraph graph_;  // what runs: built from spec_ when the flow starts; the peas point into it
  std::string flow_id_;
  std::optional<CurveKeyPair> session_;  // the flow's CURVE session when it sets `curve:`
  // The parts. The context outlives every socket; the WakeFd every watch of one.
  zmq::context_t context_;
  WakeFd wake_;
  PeaSupervisor supervisor_;
  MetricsRegistry metrics_;  // what the gateway records (when FlowOptions::metrics)
  Gateway gateway_;

  Phase phase_ = Phase::idle;
  SteadyTime next_health_check_{};
  // Lifecycle steps in progress.
  PeaSlot::State start_target_ = PeaSlot::State::ready;
  StartedCallback on_started_;
  std::optional<FlowError> start_error_;
  ClosedCallback on_closed_;
  SteadyTime close_give_up_{};

  std::thread::id owner_;
  bool in_process_ = false;
  bool work_ready_ = false;  // the last re-arm found work ready now (next_timeout() is zero)
};

}  // namespace jflow::detail
