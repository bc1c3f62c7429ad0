// Flow::Impl, shared by flow.cpp (the request path) and flow_lifecycle.cpp (start and stop).
// Private to jflow_core.
#pragma once

#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "jflow/clock.hpp"
#include "jflow/codec.hpp"
#include "jflow/flow.hpp"
#include "jflow/pea_handle.hpp"
#include "jflow/pending_requests.hpp"

namespace jflow {

// One pea as the orchestrator tracks it.
struct PeaSlot {
  enum class State { starting, ready, wired, dead, stopped };
  const PodSpec* pod = nullptr;
  std::string name;
  std::unique_ptr<PeaHandle> handle;
  State state = State::starting;
  std::string endpoint;  // its data-in
  SteadyTime last_seen{};
  std::string last_error;
};

class Flow::Impl {
 public:
  Impl(FlowSpec spec, FlowOptions options);
  ~Impl();

  // flow_lifecycle.cpp
  void start();
  void close();

  // flow.cpp
  std::string submit(Request request, ResponseCallback done, Duration timeout);
  std::size_t poll(Duration max_wait);
  std::vector<PeaStatus> status() const;

  FlowSpec spec_;
  FlowOptions options_;
  std::size_t in_flight() const { return pending_.size(); }

 private:
  enum class Phase { idle, running, closing, closed };
  using Frames = std::array<zmq::message_t, 2>;

  // flow_lifecycle.cpp
  void launch_peas();
  void await_all(PeaSlot::State state, const char* what);
  void handle_start_control(const ControlMessage& message);
  void check_start_health(SteadyTime now);
  void stop_peas();
  void abort_start();

  // flow.cpp
  void handle_control(const ControlMessage& message);
  void drain_control();
  void read_results();
  void flush_outbox();
  bool try_send(Frames& frames);
  void expire_deadlines();
  void check_health();
  void mark_dead(PeaSlot& slot, const std::string& how);
  void end(std::string id, PendingRequests::Entry entry, Response response);
  void end_with(std::string id, PendingRequests::Entry entry, StatusCode code, std::string message,
                std::string pod);
  void fail_all(StatusCode code, const std::string& message, const std::string& pod);
  void fire_ready_callbacks();
  PeaSlot* find_slot(const std::string& name);

  zmq::context_t context_;
  std::optional<zmq::socket_t> control_;
  std::optional<zmq::socket_t> results_;
  std::optional<zmq::socket_t> gateway_;
  std::string control_inproc_;
  std::string control_tcp_;
  std::string results_endpoint_;
  std::string flow_id_;
  std::uint64_t next_request_ = 0;
  Phase phase_ = Phase::idle;
  std::vector<PeaSlot> peas_;
  PendingRequests pending_;
  std::deque<Frames> outbox_;
  // Requests that ended without a round trip (flow broken or closing); delivered by poll() so
  // callbacks never run inside submit().
  std::deque<std::pair<ResponseCallback, Response>> ready_;
  std::optional<std::string> broken_;  // why the flow can no longer serve requests
  std::string broken_pod_;
  SteadyTime next_health_check_{};
  std::uint64_t late_replies_ = 0;
  std::uint64_t ended_count_ = 0;  // callbacks delivered, for poll()'s return value
};

}  // namespace jflow
