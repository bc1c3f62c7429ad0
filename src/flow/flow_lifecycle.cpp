// Starting and stopping a flow, as steps that process() advances so no call blocks: launch every
// pea at once, configure each as it says hello, wire them once all are ready; on close drain,
// terminate, and reap.
#include <iostream>
#include <random>
#include <sstream>

#include "control/control.hpp"
#include "control/control_channel.hpp"
#include "flow/flow_impl.hpp"
#include "net/curve_link.hpp"
#include "net/endpoint.hpp"
#include "spec/spec_support.hpp"

namespace jflow::detail {
namespace {

std::string random_flow_id() {
  std::random_device device;
  std::ostringstream id;
  id << std::hex << device() << device();
  return id.str();
}

constexpr auto kStopGrace = std::chrono::seconds(2);
constexpr auto kTerminateResend = std::chrono::milliseconds(100);

}  // namespace

void FlowCore::start_async(StartedCallback on_started) {
  check_owner("start_async");
  if (phase_ != Phase::idle) throw FlowError("start: the flow was already started (or closed)");
  if (spec_.pods.empty()) throw FlowError("start: the flow has no pods");
  adopt_current_thread();
  phase_ = Phase::starting;
  start_target_ = PeaSlot::State::ready;
  on_started_ = std::move(on_started);
  flow_id_ = random_flow_id();
  graph_ = build_flow_graph(spec_);  // throws SpecError for a spec that cannot run
  try {
    open_sockets();
    launch_peas();
  } catch (const std::exception& e) {
    fail_start(e.what());
  }
  rearm();
}

void FlowCore::open_sockets() {
  if (spec_.curve) {
    own_keys_ = read_curve_secret(spec_.curve->key);
    session_ = generate_curve_keys();  // fresh for every run
  }
  control_.emplace(context_, zmq::socket_type::router);
  control_->set(zmq::sockopt::router_mandatory, true);
  control_->set(zmq::sockopt::linger, 0);
  secure_binding_side(*control_, session_);
  control_inproc_ = "inproc://jflow-" + flow_id_ + "-control";
  control_->bind(control_inproc_);
  watch(*control_);
  results_.emplace(context_, zmq::socket_type::pull);
  set_common_options(*results_);
  secure_binding_side(*results_, session_);
  results_endpoint_ =
      bind_any(*results_, spec_.transport, spec_.host, "jflow-" + flow_id_ + "-results");
  watch(*results_);
}

void FlowCore::launch_peas() {
  bool any_process = false;
  bool any_remote = false;
  for (const PeaPlan& pea : graph_.peas) {
    any_process |= pea.runtime == Runtime::process;
    any_remote |= !pea.host.empty();
  }
  if (any_process) {
    // Process peas reach the control socket over loopback tcp; port 0, read back.
    control_->bind("tcp://127.0.0.1:*");
    control_tcp_ = control_->get(zmq::sockopt::last_endpoint);
  }
  control_remote_ = control_tcp_;
  if (any_remote && !spec::is_loopback_host(spec_.host)) {
    // Peas on other hosts reach it on the flow's own address (checked reachable-looking by
    // check_hosts(); nothing binds beyond loopback unless the flow's host: says so).
    control_->bind("tcp://" + spec_.host + ":*");
    control_remote_ = control_->get(zmq::sockopt::last_endpoint);
  }
  if (any_remote && !spec_.curve) {
    std::cerr << "jflow: warning: links to other hosts are not encrypted (the flow has no "
                 "curve:); see docs/HOSTS.md\n";
  }
  std::vector<std::string> session_env;
  if (session_) {
    session_env.push_back(std::string(kCurveSessionEnv) + "=" + curve_session_env_value(*session_));
  }
  std::filesystem::path executable =
      options_.jflow_executable.empty() ? find_jflow_executable() : options_.jflow_executable;
  const DriverRegistry& drivers = options_.drivers ? *options_.drivers : registered_drivers();
  peas_.reserve(graph_.peas.size());
  for (const PeaPlan& pea : graph_.peas) {
    PeaSlot& slot = peas_.emplace_back();
    slot.plan = &pea;
    for (const PodSpec& pod : spec_.pods) {
      if (pod.name == pea.pod) slot.pod = &pod;
    }
    slot.name = pea.name;
    slot.last_seen = steady_now();
    try {
      if (!pea.host.empty()) {
        slot.handle =
            start_remote_pea(daemon_for(pea.host), slot.name, control_remote_, flow_id_, session_);
      } else if (pea.runtime == Runtime::thread) {
        slot.handle = start_thread_pea(context_, control_inproc_, slot.name, drivers);
      } else {
        slot.handle = start_process_pea(executable, control_tcp_, slot.name, session_env);
      }
    } catch (const std::exception& e) {
      // Every slot in peas_ has a handle (stopping reads them all): drop this one, and let the
      // start fail once, naming the pea; the peas started so far are stopped by fail_start.
      peas_.pop_back();
      throw FlowError("cannot start pea '" + pea.name + "' (" + std::to_string(peas_.size()) +
                      " of " + std::to_string(graph_.peas.size()) + " started): " + e.what());
    }
  }
}

// One step of the start handshake: answer hellos, record ready/wired peas, wire once all are
// ready, and finish once all are wired. A pea that ended or stayed silent fails the start.
void FlowCore::step_start(SteadyTime now) {
  try {
    while (true) {
      std::optional<ControlMessage> message;
      try {
        message = try_recv_control(*control_, true);
      } catch (const DecodeError& e) {
        std::cerr << "jflow: bad control message during start: " << e.what() << "\n";
        continue;
      }
      if (!message) break;
      handle_start_control(*message);
    }
    if (start_target_ == PeaSlot::State::ready &&
        start_condition_met(PeaSlot::State::ready, "become ready", now)) {
      std::map<std::string, PeaEndpoints> endpoints = endpoint_map();
      for (const PeaSlot& slot : peas_) {
        send_control_to(*control_, wire_for(*slot.plan, endpoints, results_endpoint_));
      }
      start_target_ = PeaSlot::State::wired;
    }
    if (start_target_ != PeaSlot::State::wired ||
        !start_condition_met(PeaSlot::State::wired, "be wired", now))
      return;
    // One PUSH per entry pod, so that each gets every request (one PUSH connected to several
    // peas would deal requests out among them instead).
    const int hwm = static_cast<int>(std::max<std::size_t>(1000, options_.max_in_flight));
    for (const std::string& target : gateway_targets(graph_, endpoint_map())) {
      zmq::socket_t& socket = gateway_
                                  ? more_gateways_.emplace_back(context_, zmq::socket_type::push)
                                  : gateway_.emplace(context_, zmq::socket_type::push);
      set_common_options(socket);
      socket.set(zmq::sockopt::sndhwm, hwm);
      secure_connecting_side(socket, session_);
      socket.connect(target);
    }
    watch(*gateway_);
  } catch (const std::exception& e) {
    fail_start(e.what());
    return;
  }
  next_health_check_ = now;
  phase_ = Phase::running;
  if (auto started = std::exchange(on_started_, nullptr)) started(std::nullopt);
}

// True once every pea reached `state`; throws FlowError for a pea that ended or timed out.
bool FlowCore::start_condition_met(PeaSlot::State state, const char* what, SteadyTime now) {
  bool all = true;
  for (PeaSlot& slot : peas_) {
    if (slot.state == state) continue;
    all = false;
    if (auto how = slot.handle->ended()) {
      throw FlowError("pea '" + slot.name + "' " + *how + " before it could " + what);
    }
    Duration timeout = slot.pod->timeout_ready;
    if (now - slot.last_seen > timeout) {
      throw FlowError("pea '" + slot.name + "' did not " + what + " within " +
                      format_duration(timeout) + " (timeout_ready)");
    }
  }
  return all;
}

void FlowCore::handle_start_control(const ControlMessage& message) {
  PeaSlot* slot = find_slot(message.pea);
  if (slot == nullptr) return;
  if (message.command == control::kHello) {
    WiringContext context{spec_, graph_, flow_id_, options_.heartbeat_interval, session_};
    send_control_to(*control_, configure_message(context, *slot->plan));
  } else if (message.command == control::kReady) {
    try {
      slot->endpoints = read_ready(slot->plan->role, message.endpoints);
    } catch (const FlowError& e) {
      throw FlowError("pea '" + slot->name + "' " + e.what());
    }
    slot->state = PeaSlot::State::ready;
    slot->last_seen = steady_now();  // readiness restarts the clock for wiring
  } else if (message.command == control::kWired) {
    slot->state = PeaSlot::State::wired;
    slot->last_seen = steady_now();
  } else if (message.command == control::kFailed) {
    const std::string why = text_field(message, "message", "no reason given");
    throw FlowError("pea '" + slot->name + "' failed to start: " + why);
  }
}

// The start failed: stop whatever was launched; on_started hears the error once all is stopped.
void FlowCore::fail_start(const std::string& why) {
  start_error_ = FlowError(why);
  begin_stop(steady_now());
}

void FlowCore::close_async(ClosedCallback on_closed) {
  check_owner("close_async");
  if (phase_ == Phase::idle || phase_ == Phase::closed) {
    phase_ = Phase::closed;
    if (on_closed) on_closed();
    return;
  }
  if (on_closed) {
    // A second close while one is under way: both callers hear the end.
    on_closed_ = [first = std::move(on_closed_), second = std::move(on_closed)] {
      if (first) first();
      second();
    };
  }
  if (phase_ == Phase::starting) {
    fail_start("the flow was closed before it started");
  } else if (phase_ == Phase::running) {
    phase_ = Phase::closing;
    close_give_up_ = steady_now() + options_.close_timeout;
  }
  if (!in_process_) rearm();
}

// Closing: once nothing is in flight (or the flow is broken, or the drain budget is spent), end
// whatever is left with status closed and start stopping the peas.
void FlowCore::step_close(SteadyTime now) {
  if (!pending_.empty() && !broken_ && now < close_give_up_) return;
  fail_all(StatusCode::closed, "the flow closed before the reply came", "");
  outbox_.clear();
  begin_stop(now);
}

void FlowCore::begin_stop(SteadyTime now) {
  phase_ = Phase::stopping;
  stop_give_up_ = now + kStopGrace;
  next_terminate_ = now;
}

// One step of stopping: terminate every pea, re-sending until each has ended (a pea that is still
// connecting cannot hear the first one); after the grace period, kill what is left, reap
// everything and close.
void FlowCore::step_stop(SteadyTime now) {
  while (control_) {  // bye (which may carry a close problem) and late reports
    try {
      auto message = try_recv_control(*control_, true);
      if (!message) break;
      if (message->command != control::kBye) continue;
      if (PeaSlot* slot = find_slot(message->pea)) slot->said_bye = true;
      if (const std::string error = text_field(*message, "error"); !error.empty()) {
        note_close_problem("pea '" + message->pea + "': " + error);
      }
    } catch (const DecodeError&) {
    }
  }
  bool all_ended = true;
  for (PeaSlot& slot : peas_) {
    if (auto how = slot.handle->ended()) {
      // A pea that stopped cleanly sent `bye` first, perhaps with a close problem; it may still
      // be on its way (a process is seen gone before its last message is read).
      const bool clean = *how == "stopped" || *how == "exited";
      if (clean && !slot.said_bye && control_) all_ended = false;
      continue;
    }
    all_ended = false;
    if (control_ && now >= next_terminate_) {
      ControlMessage terminate;
      terminate.command = control::kTerminate;
      terminate.pea = slot.name;
      send_control_to(*control_, terminate);
    }
  }
  if (now >= next_terminate_) next_terminate_ = now + kTerminateResend;
  if (!all_ended && now < stop_give_up_) return;
  for (PeaSlot& slot : peas_) {
    if (!slot.handle->ended()) {
      note_close_problem("pea '" + slot.name + "' did not stop within " +
                         format_duration(kStopGrace) + "; killed it");
      slot.handle->kill();
    }
  }
  for (PeaSlot& slot : peas_) {
    slot.handle->reap();
    if (slot.state != PeaSlot::State::dead) slot.state = PeaSlot::State::stopped;
  }
  release_sockets();
  phase_ = Phase::closed;
  if (start_error_) {
    if (auto started = std::exchange(on_started_, nullptr)) started(start_error_);
  }
  if (auto closed = std::exchange(on_closed_, nullptr)) closed();
}

// Problems of the close itself are printed where the user sees them and kept for
// close_problems(), so that `jflow run` can fail on them.
void FlowCore::note_close_problem(std::string problem) {
  std::cerr << "jflow: " << problem << "\n";
  close_problems_.push_back(std::move(problem));
}

std::map<std::string, PeaEndpoints> FlowCore::endpoint_map() const {
  std::map<std::string, PeaEndpoints> endpoints;
  for (const PeaSlot& slot : peas_) endpoints[slot.name] = slot.endpoints;
  return endpoints;
}

std::shared_ptr<DaemonLink> FlowCore::daemon_for(const std::string& address) {
  std::shared_ptr<DaemonLink>& link = daemons_[address];
  if (!link) {
    std::string daemon_public;
    if (spec_.curve) daemon_public = read_curve_public(spec_.curve->hosts.at(address));
    link = std::make_shared<DaemonLink>(context_, address, own_keys_, daemon_public, flow_id_);
    watch(link->socket());
    watch(link->monitor());
  }
  return link;
}

void FlowCore::pump_daemons(SteadyTime now) {
  for (auto& [address, link] : daemons_) link->pump(now);
}

void FlowCore::release_sockets() {
  for (auto& [address, link] : daemons_) {
    link->bye();
    unwatch(link->socket());
    unwatch(link->monitor());
  }
  // The peas' handles share the links; the sockets close when the last of them goes.
  daemons_.clear();
  more_gateways_.clear();
  for (auto* socket : {&gateway_, &results_, &control_}) {
    if (!*socket) continue;
    unwatch(**socket);
    socket->reset();
  }
}

}  // namespace jflow::detail
