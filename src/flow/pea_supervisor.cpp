// Launching, bringing up, watching and stopping the peas of a flow. Nothing here blocks: each
// step reads what the peas said and returns; the flow's process() calls the next one.
#include "flow/pea_supervisor.hpp"

#include <iostream>

#include "control/control_channel.hpp"
#include "net/curve_link.hpp"
#include "net/endpoint.hpp"
#include "spec/spec_support.hpp"

namespace jflow::detail {
namespace {

constexpr auto kTerminateResend = std::chrono::milliseconds(100);

}  // namespace

PeaSupervisor::PeaSupervisor(zmq::context_t& context, WakeFd& wake, const FlowSpec& spec,
                             const FlowOptions& options)
    : context_(context), wake_(wake), spec_(spec), options_(options) {}

PeaSupervisor::~PeaSupervisor() = default;

void PeaSupervisor::open_control(const std::string& flow_id,
                                 const std::optional<CurveKeyPair>& session) {
  if (spec_.curve) own_keys_ = read_curve_secret(spec_.curve->key);
  control_.emplace(context_, zmq::socket_type::router);
  control_->set(zmq::sockopt::router_mandatory, true);
  control_->set(zmq::sockopt::linger, 0);
  secure_binding_side(*control_, session);
  control_inproc_ = "inproc://jflow-" + flow_id + "-control";
  control_->bind(control_inproc_);
  wake_.watch(*control_);
}

void PeaSupervisor::launch(const FlowGraph& graph, const std::string& flow_id,
                           const std::optional<CurveKeyPair>& session) {
  bool any_process = false;
  bool any_remote = false;
  for (const PeaPlan& pea : graph.peas) {
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
    // check_hosts(); nothing binds beyond loopback unless the flow's host: says so). The address
    // may be a name of this machine (bind_any resolves what libzmq cannot bind).
    control_remote_ = bind_any(*control_, Transport::tcp, spec_.host, "");
  }
  if (any_remote && !spec_.curve) {
    std::cerr << "jflow: warning: links to other hosts are not encrypted (the flow has no "
                 "curve:); see docs/HOSTS.md\n";
  }
  std::vector<std::string> session_env;
  if (session) {
    session_env.push_back(std::string(kCurveSessionEnv) + "=" + curve_session_env_value(*session));
  }
  std::filesystem::path executable =
      options_.jflow_executable.empty() ? find_jflow_executable() : options_.jflow_executable;
  const DriverRegistry& drivers = options_.drivers ? *options_.drivers : registered_drivers();
  peas_.reserve(graph.peas.size());
  for (const PeaPlan& pea : graph.peas) {
    PeaSlot& slot = peas_.emplace_back();
    slot.plan = &pea;
    for (const PodSpec& pod : spec_.pods) {
      if (pod.name == pea.pod) slot.pod = &pod;
    }
    slot.name = pea.name;
    slot.last_seen = steady_now();
    try {
      if (!pea.host.empty()) {
        slot.handle = start_remote_pea(daemon_for(pea.host, flow_id), slot.name, control_remote_,
                                       flow_id, session);
      } else if (pea.runtime == Runtime::thread) {
        slot.handle = start_thread_pea(context_, control_inproc_, slot.name, drivers);
      } else {
        slot.handle = start_process_pea(executable, control_tcp_, slot.name, session_env);
      }
    } catch (const std::exception& e) {
      // Every slot in peas_ has a handle (stopping reads them all): drop this one, and let the
      // start fail once, naming the pea; the peas started so far are stopped by the failed start.
      peas_.pop_back();
      throw FlowError("cannot start pea '" + pea.name + "' (" + std::to_string(peas_.size()) +
                      " of " + std::to_string(graph.peas.size()) + " started): " + e.what());
    }
  }
}

void PeaSupervisor::read_start_messages(const WiringContext& context) {
  while (true) {
    std::optional<ControlMessage> message;
    try {
      message = try_recv_control(*control_, true);
    } catch (const DecodeError& e) {
      std::cerr << "jflow: bad control message during start: " << e.what() << "\n";
      continue;
    }
    if (!message) break;
    handle_start_message(*message, context);
  }
}

void PeaSupervisor::handle_start_message(const ControlMessage& message,
                                         const WiringContext& context) {
  PeaSlot* slot = find_slot(message.pea);
  if (slot == nullptr) return;
  if (message.command == control::kHello) {
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

bool PeaSupervisor::all_reached(PeaSlot::State state, const char* what, SteadyTime now) {
  bool all = true;
  for (PeaSlot& slot : peas_) {
    if (slot.state == state) continue;
    all = false;
    if (auto how = slot.handle->ended()) {
      throw FlowError("pea '" + slot.name + "' " + how->describe() + " before it could " + what);
    }
    Duration timeout = slot.pod->timeout_ready;
    if (now - slot.last_seen > timeout) {
      throw FlowError("pea '" + slot.name + "' did not " + what + " within " +
                      format_duration(timeout) + " (timeout_ready)");
    }
  }
  return all;
}

void PeaSupervisor::send_wiring(const std::string& results_endpoint) {
  std::map<std::string, PeaEndpoints> all = endpoints();
  for (const PeaSlot& slot : peas_) {
    send_control_to(*control_, wire_for(*slot.plan, all, results_endpoint));
  }
}

std::map<std::string, PeaEndpoints> PeaSupervisor::endpoints() const {
  std::map<std::string, PeaEndpoints> endpoints;
  for (const PeaSlot& slot : peas_) endpoints[slot.name] = slot.endpoints;
  return endpoints;
}

void PeaSupervisor::read_control() {
  while (true) {
    try {
      auto message = try_recv_control(*control_, true);
      if (!message) return;
      PeaSlot* slot = find_slot(message->pea);
      if (slot == nullptr) continue;
      slot->last_seen = steady_now();
      if (message->command == control::kRejected) {
        const std::string why = text_field(*message, "message", "?");
        slot->last_error = why;
        std::cerr << "jflow: pea '" << slot->name << "' rejected a message: " << why << "\n";
      }
    } catch (const DecodeError& e) {
      std::cerr << "jflow: bad control message: " << e.what() << "\n";
    }
  }
}

std::vector<LostPea> PeaSupervisor::check_health(SteadyTime now) {
  std::vector<LostPea> lost;
  for (PeaSlot& slot : peas_) {
    if (slot.state == PeaSlot::State::dead) continue;
    if (auto how = slot.handle->ended()) {
      mark_dead(slot, how->describe(), lost);
    } else if (now - slot.last_seen > options_.heartbeat_timeout) {
      slot.handle->kill();
      mark_dead(slot, "sent no heartbeat for " + format_duration(options_.heartbeat_timeout), lost);
    }
  }
  return lost;
}

void PeaSupervisor::mark_dead(PeaSlot& slot, const std::string& how, std::vector<LostPea>& lost) {
  slot.state = PeaSlot::State::dead;
  std::string who = "pea '" + slot.name + "'";
  if (slot.handle->pid() != 0) who += " (pid " + std::to_string(slot.handle->pid()) + ")";
  if (!slot.handle->host().empty()) who += " on host " + slot.handle->host();
  slot.last_error = who + " " + how;
  std::cerr << "jflow: " << slot.last_error << "\n";
  if (slot.plan->role == PeaRole::replica) {
    // The pod lives on with its other replicas: its head re-dispatches or fails (naming this
    // replica) exactly the requests the dead one held.
    ControlMessage message;
    message.command = control::kReplicaLost;
    message.pea = slot.plan->head;
    message.fields["replica"] = slot.name;
    message.fields["reason"] = how;
    if (control_) send_control_to(*control_, message);
    return;
  }
  lost.push_back({slot.last_error, slot.pod->name});
}

void PeaSupervisor::pump_daemons(SteadyTime now) {
  for (auto& [address, link] : daemons_) link->pump(now);
}

bool PeaSupervisor::has_input() {
  bool input = control_ && (control_->get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
  for (auto& [address, link] : daemons_) {
    // Both read, for their ZMQ_FD edges' sake: reading ZMQ_EVENTS is what resets them.
    const bool message = (link->socket().get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
    const bool event = (link->monitor().get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
    input |= message || event;
  }
  return input;
}

void PeaSupervisor::begin_stop(SteadyTime now) {
  stop_give_up_ = now + options_.stop_grace;
  next_terminate_ = now;
}

// Terminate every pea, re-sending until each has ended (a pea that is still connecting cannot
// hear the first one); after the grace period, kill what is left, reap everything, close.
bool PeaSupervisor::step_stop(SteadyTime now) {
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
      if (how->clean() && !slot.said_bye && control_) all_ended = false;
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
  if (!all_ended && now < stop_give_up_) return false;
  for (PeaSlot& slot : peas_) {
    if (!slot.handle->ended()) {
      note_close_problem("pea '" + slot.name + "' did not stop within " +
                         format_duration(options_.stop_grace) + "; killed it");
      slot.handle->kill();
    }
  }
  for (PeaSlot& slot : peas_) {
    slot.handle->reap();
    if (slot.state != PeaSlot::State::dead) slot.state = PeaSlot::State::stopped;
  }
  release_sockets();
  return true;
}

void PeaSupervisor::release_sockets() {
  for (auto& [address, link] : daemons_) {
    link->bye();
    wake_.unwatch(link->socket());
    wake_.unwatch(link->monitor());
  }
  // The peas' handles share the links; the sockets close when the last of them goes.
  daemons_.clear();
  if (control_) {
    wake_.unwatch(*control_);
    control_.reset();
  }
}

// Problems of the close itself are printed where the user sees them and kept for
// close_problems(), so that `jflow run` can fail on them.
void PeaSupervisor::note_close_problem(std::string problem) {
  std::cerr << "jflow: " << problem << "\n";
  close_problems_.push_back(std::move(problem));
}

PeaSlot* PeaSupervisor::find_slot(const std::string& name) {
  for (PeaSlot& slot : peas_) {
    if (slot.name == name) return &slot;
  }
  return nullptr;
}

std::shared_ptr<DaemonLink> PeaSupervisor::daemon_for(const std::string& address,
                                                      const std::string& flow_id) {
  std::shared_ptr<DaemonLink>& link = daemons_[address];
  if (!link) {
    std::string daemon_public;
    if (spec_.curve) daemon_public = read_curve_public(spec_.curve->hosts.at(address));
    link = std::make_shared<DaemonLink>(context_, address, own_keys_, daemon_public, flow_id);
    wake_.watch(link->socket());
    wake_.watch(link->monitor());
  }
  return link;
}

std::vector<PeaStatus> PeaSupervisor::status() const {
  std::vector<PeaStatus> out;
  for (const PeaSlot& slot : peas_) {
    PeaStatus s;
    s.pod = slot.pod->name;
    s.pea = slot.name;
    s.runtime = slot.handle ? slot.handle->runtime() : "";
    s.endpoint = slot.endpoints.in.empty() ? slot.endpoints.router : slot.endpoints.in;
    s.pid = slot.handle ? slot.handle->pid() : 0;
    s.alive = slot.state == PeaSlot::State::wired;
    s.last_error = slot.last_error;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace jflow::detail
