// PeaSupervisor: the flow's peas as the orchestrator tracks them, one PeaSlot each. It launches
// every pea (a thread, a `jflow pea` process, or a process on another host through its daemon),
// owns the control socket they report to, brings them up (configure on hello, wire once all are
// ready), watches their health (an ended pea, missed heartbeats), starts dead ones again as their
// pod's `restart` says (under the same name, binding the same endpoints, so that their neighbours
// reconnect by themselves) and stops them (terminate, re-sent until each has ended; kill what does
// not stop; reap everything). Private to jflow_core.
#pragma once

#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "base/clock.hpp"
#include "control/control.hpp"
#include "flow/flow_metrics.hpp"
#include "flow/flow_wiring.hpp"
#include "flow/pea_output_relay.hpp"
#include "flow/wake_fd.hpp"
#include "hosts/daemon_link.hpp"
#include "jflow/flow.hpp"
#include "pea/pea_handle.hpp"
#include "spec/flow_graph.hpp"

namespace jflow::detail {

// One pea as the orchestrator tracks it.
struct PeaSlot {
  enum class State { starting, ready, wired, dead, stopped };
  const PodSpec* pod = nullptr;
  const PeaPlan* plan = nullptr;
  std::string name;
  std::unique_ptr<PeaHandle> handle;
  State state = State::starting;
  PeaEndpoints endpoints;  // what it bound, from its `ready`
  SteadyTime last_seen{};
  std::string last_error;
  bool said_bye = false;  // its `bye` arrived (a pea that stops cleanly sends one before it exits)
  std::optional<SteadyTime> seen_ended;  // when the start saw it gone (waiting for its `failed`)
  // Restarts (PodSpec::restart).
  std::deque<SteadyTime> recent_restarts;  // those within the pod's restart_window
  std::size_t restarts = 0;                // ever
  std::optional<SteadyTime> restart_at;    // dead, and to be started again then
  bool restarting = false;                 // this incarnation is a restart not yet wired
  bool gave_up = false;  // dead for good: it kept crashing (max_restarts), or its host is gone
};

// What changed for the flow's request path when a pea the flow cannot do without (a head, a
// tail, a lone pea) died or came back. Replicas are their head's business (replica_lost).
struct PeaEvent {
  enum class Kind {
    down,  // died; it is being restarted: what was in flight ends, new requests end at once
    lost,  // died for good (restart: never, or it kept crashing): the flow cannot serve
    back,  // restarted and wired again: the pod serves
  };
  Kind kind = Kind::lost;
  std::string pod;
  std::string why;  // "pea 'p' (pid 12) killed by signal 9 (Killed)"
};

// A restarted pea bound `to` where its predecessor had bound `from`.
struct EndpointMove {
  std::string from;
  std::string to;
};

class PeaSupervisor {
 public:
  PeaSupervisor(zmq::context_t& context, WakeFd& wake, const FlowSpec& spec,
                const FlowOptions& options);
  ~PeaSupervisor();
  // Where restarts and heartbeats are counted (jflow_pea_restarts_total, the peas' bytes, in
  // flight, credits); null: not counted.
  void set_metrics(MetricsRegistry* metrics) { metrics_ = metrics; }

  // ---- launch ----
  // Binds the control socket (inproc; tcp too once launch() knows process or remote peas).
  void open_control(const std::string& flow_id, const std::optional<CurveKeyPair>& session);
  // Launches every pea of `graph` at once; each says hello on the control socket.
  void launch(const FlowGraph& graph, const std::string& flow_id,
              const std::optional<CurveKeyPair>& session);

  // ---- bring-up ----
  // Reads the start handshake's messages: configures each pea that says hello, records those
  // that report ready or wired. Throws FlowError for a pea that failed to start.
  void read_start_messages(const WiringContext& context);
  // True once every pea reached `state`; throws FlowError for a pea that ended or stayed silent
  // for its pod's timeout_ready. `what` completes "did not … in time".
  bool all_reached(PeaSlot::State state, const char* what, SteadyTime now);
  // Tells every pea whom to connect to; the last pea sends to `results_endpoint`.
  void send_wiring(const std::string& results_endpoint);
  std::map<std::string, PeaEndpoints> endpoints() const;

  // ---- running ----
  // Reads what peas report while the flow runs (heartbeats, rejected frames, and the start
  // handshake of restarted peas).
  void read_control();
  // Marks peas that ended, missed heartbeats or did not come back in time as dead, and starts
  // again those whose back-off has passed. A dead replica is reported to its head, which
  // re-dispatches or fails what it held.
  void check_health(SteadyTime now);
  // What happened to the peas the flow cannot do without since the last call.
  std::vector<PeaEvent> take_events() { return std::exchange(events_, {}); }
  // Endpoints restarted peas left for others since the last call, for the gateway to follow.
  std::vector<EndpointMove> take_moved_endpoints() { return std::exchange(moved_, {}); }
  // The earliest back-off that ends, for the flow's timer.
  std::optional<SteadyTime> next_restart() const;
  // Reads the daemons' news (launched, exited, output lines) and notices a silent one.
  void pump_daemons(SteadyTime now);
  // Reads ZMQ_EVENTS of the control socket and every daemon link (resetting their ZMQ_FD
  // edges); true when any of them has a message waiting.
  bool has_input();

  // ---- stop ----
  void begin_stop(SteadyTime now);
  // One step of stopping; true once every pea has ended and been reaped and the sockets are
  // closed.
  bool step_stop(SteadyTime now);

  std::vector<PeaStatus> status() const;
  std::vector<PodHealth> health() const;
  // What went wrong while the peas stopped (see AsyncFlow::close_problems()).
  const std::vector<std::string>& close_problems() const { return close_problems_; }

 private:
  void handle_start_message(const ControlMessage& message, const WiringContext& context);
  void mark_dead(PeaSlot& slot, const std::string& how, SteadyTime now, bool can_restart = true);
  bool schedule_restart(PeaSlot& slot, SteadyTime now);
  void restart(PeaSlot& slot, SteadyTime now);
  bool remote_end_known(PeaSlot& slot, SteadyTime now);
  bool host_silent(const PeaSlot& slot) const;
  void move_endpoint(const PeaSlot& slot, std::string& endpoint, const std::string& bound);
  bool killed_on_another_host(const PeaSlot& slot) const;
  bool note_waiting_for_host(PeaSlot& slot);
  bool host_gone(PeaSlot& slot);
  void handle_restart_message(PeaSlot& slot, const ControlMessage& message);
  void record_heartbeat(const PeaSlot& slot, const ControlMessage& message);
  std::unique_ptr<PeaHandle> start_pea(const PeaPlan& pea);
  PeaSlot* find_slot(const std::string& name);
  std::shared_ptr<DaemonLink> daemon_for(const std::string& address, const std::string& flow_id);
  void note_close_problem(std::string problem);
  void release_sockets();

  // First, so that it is destroyed last: it relays what the process peas print until their
  // pipes end, which is after every pea has been stopped and reaped.
  std::optional<PeaOutputRelay> output_relay_;
  zmq::context_t& context_;
  WakeFd& wake_;
  const FlowSpec& spec_;
  const FlowOptions& options_;
  std::optional<zmq::socket_t> control_;
  std::string control_inproc_;
  std::string control_tcp_;     // loopback tcp, for process peas of this machine
  std::string control_remote_;  // on the flow's host address, for peas on other hosts
  // This orchestrator's own key pair for daemons, when the flow sets `curve:`.
  std::optional<CurveKeyPair> own_keys_;
  std::map<std::string, std::shared_ptr<DaemonLink>> daemons_;  // by "ADDR:PORT"
  std::vector<PeaSlot> peas_;
  std::vector<PeaEvent> events_;
  std::vector<EndpointMove> moved_;
  // Kept from the start, to configure and wire restarted peas the same way.
  std::optional<WiringContext> wiring_;
  std::string results_endpoint_;
  std::string flow_id_;
  std::optional<CurveKeyPair> session_;
  std::vector<std::string> session_env_;
  std::filesystem::path executable_;
  std::vector<std::string> close_problems_;
  MetricsRegistry* metrics_ = nullptr;
  SteadyTime stop_give_up_{};
  SteadyTime next_terminate_{};
};

}  // namespace jflow::detail
