// FlowCore: the one engine behind AsyncFlow and Flow. It never blocks and owns no thread: every
// step (start handshake, request path, close) is advanced by process(), and a single epoll fd
// (ZMQ_FDs + an eventfd + a timerfd) says when process() has something to do.
// Shared by flow.cpp (request path), flow_lifecycle.cpp (start/close steps) and async_flow.cpp
// (the fd machinery). Private to jflow_core.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "base/clock.hpp"
#include "flow/flow_wiring.hpp"
#include "flow/pending_requests.hpp"
#include "hosts/daemon_link.hpp"
#include "jflow/async_flow.hpp"
#include "jflow/codec.hpp"
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
};

// An owned file descriptor, closed on destruction.
class OwnedFd {
 public:
  OwnedFd() = default;
  explicit OwnedFd(int fd) : fd_(fd) {}
  OwnedFd(OwnedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  OwnedFd& operator=(OwnedFd&&) = delete;
  OwnedFd(const OwnedFd&) = delete;
  ~OwnedFd();
  int get() const { return fd_; }

 private:
  int fd_ = -1;
};

class FlowCore {
 public:
  enum class Phase { idle, starting, running, closing, stopping, closed };
  static constexpr std::size_t kUnlimitedBudget = AsyncFlow::kUnlimited;

  FlowCore(FlowSpec spec, FlowOptions options);
  ~FlowCore();

  // flow_lifecycle.cpp: non-blocking; the steps are advanced by process().
  void start_async(StartedCallback on_started);
  void close_async(ClosedCallback on_closed);

  // flow.cpp
  std::string submit(Request request, ResponseCallback done, Duration timeout);
  bool at_capacity() const { return pending_.size() >= options_.max_in_flight && !broken_; }
  std::vector<PeaStatus> status() const;

  // async_flow.cpp
  std::size_t process(std::size_t budget);
  std::optional<Duration> next_timeout() const;
  int native_handle() const { return epoll_.get(); }
  void check_owner(const char* what) const;
  void adopt_current_thread() { owner_ = std::this_thread::get_id(); }

  FlowSpec spec_;
  FlowOptions options_;
  std::vector<std::string> close_problems_;  // see AsyncFlow::close_problems()
  Phase phase() const { return phase_; }
  std::size_t in_flight() const { return pending_.size(); }

 private:
  using Frames = std::array<zmq::message_t, 2>;

  // flow_lifecycle.cpp
  void open_sockets();
  void launch_peas();
  void step_start(SteadyTime now);
  bool start_condition_met(PeaSlot::State state, const char* what, SteadyTime now);
  void handle_start_control(const ControlMessage& message);
  void fail_start(const std::string& why);
  void step_close(SteadyTime now);
  void begin_stop(SteadyTime now);
  void step_stop(SteadyTime now);
  void release_sockets();
  void note_close_problem(std::string problem);
  std::shared_ptr<DaemonLink> daemon_for(const std::string& address);
  void pump_daemons(SteadyTime now);

  // flow.cpp
  void handle_control(const ControlMessage& message);
  void drain_control();
  void read_results(std::size_t budget);
  void flush_outbox();
  bool try_send(Frames& frames);
  void expire_deadlines();
  void check_health();
  void mark_dead(PeaSlot& slot, const std::string& how);
  void end(std::string id, PendingRequests::Entry entry, Response response);
  void end_with(std::string id, PendingRequests::Entry entry, StatusCode code, std::string message,
                std::string pod);
  void fail_all(StatusCode code, const std::string& message, const std::string& pod);
  void fire_ready_callbacks(std::size_t budget);
  PeaSlot* find_slot(const std::string& name);
  std::map<std::string, PeaEndpoints> endpoint_map() const;

  // async_flow.cpp
  void watch(zmq::socket_t& socket);
  void unwatch(zmq::socket_t& socket);
  void rearm();
  void rearm_after_submit();  // rearm() for when only the gateway socket was touched
  void signal_and_arm();      // the eventfd and timerfd part of both
  bool has_ready_work();
  std::optional<SteadyTime> next_wakeup() const;

  zmq::context_t context_;
  std::optional<zmq::socket_t> control_;
  std::optional<zmq::socket_t> results_;
  std::optional<zmq::socket_t> gateway_;  // PUSH to the (first) entry pod
  // PUSHes to the other entry pods, when several pods need the gateway: each gets a copy of every
  // request. Not watched: a PUSH whose queue is bounded by max_in_flight never blocks in
  // practice, and try_send() checks that each can take the request before sending any copy.
  std::vector<zmq::socket_t> more_gateways_;
  std::string control_inproc_;
  std::string control_tcp_;     // loopback tcp, for process peas of this machine
  std::string control_remote_;  // on the flow's host address, for peas on other hosts
  // The flow's CURVE session when it sets `curve:` (jflow/curve_link.hpp), and this
  // orchestrator's own key pair for daemons.
  std::optional<CurveKeyPair> session_;
  std::optional<CurveKeyPair> own_keys_;
  std::map<std::string, std::shared_ptr<DaemonLink>> daemons_;  // by "ADDR:PORT"
  std::string results_endpoint_;
  std::string flow_id_;
  std::uint64_t next_request_ = 0;
  Phase phase_ = Phase::idle;
  FlowGraph graph_;  // what runs: built from spec_ when the flow starts
  std::vector<PeaSlot> peas_;
  PendingRequests pending_;
  std::deque<Frames> outbox_;
  // Buffers reused on every request and reply: the gateway's per-request path allocates less.
  std::string envelope_bytes_;
  std::vector<zmq::message_t> reply_frames_;
  // Requests that ended without a round trip (flow broken or closing); delivered by process() so
  // callbacks never run inside submit().
  std::deque<std::pair<ResponseCallback, Response>> ready_;
  std::optional<std::string> broken_;  // why the flow can no longer serve requests
  std::string broken_pod_;
  SteadyTime next_health_check_{};
  std::uint64_t late_replies_ = 0;
  std::uint64_t ended_count_ = 0;  // callbacks delivered, for process()'s return value

  // Lifecycle steps in progress.
  PeaSlot::State start_target_ = PeaSlot::State::ready;
  StartedCallback on_started_;
  std::optional<FlowError> start_error_;
  ClosedCallback on_closed_;
  SteadyTime close_give_up_{};
  SteadyTime stop_give_up_{};
  SteadyTime next_terminate_{};

  // The user's one fd and what feeds it.
  OwnedFd epoll_;
  OwnedFd wake_;   // eventfd: written when work remains that no ZMQ_FD edge will announce
  OwnedFd timer_;  // timerfd: armed for the next deadline, health check or lifecycle step
  std::thread::id owner_;
  bool in_process_ = false;
  bool work_ready_ = false;  // the last re-arm found work ready now (next_timeout() is zero)
  // What the fd's members were last told, so re-arming after each submit skips system calls that
  // would not change anything: the eventfd is written until process() drains it, the timerfd is
  // armed for timer_armed_ (or disarmed).
  bool wake_pending_ = false;
  std::optional<SteadyTime> timer_armed_;
};

}  // namespace jflow::detail
