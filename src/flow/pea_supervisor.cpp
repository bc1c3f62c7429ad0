// Launching, bringing up, watching and stopping the peas of a flow. Nothing here blocks: each
// step reads what the peas said and returns; the flow's process() calls the next one.
#include "flow/pea_supervisor.hpp"

#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "control/control_channel.hpp"
#include "jflow/log.hpp"
#include "net/curve_link.hpp"
#include "net/endpoint.hpp"
#include "spec/spec_support.hpp"

namespace jflow::detail {
namespace {

constexpr auto kTerminateResend = std::chrono::milliseconds(100);
// A restart waits kFirstBackoff, doubled for each restart of the same pea still inside the
// pod's restart_window, at most kMaxBackoff: a pea that crashed once is back at once, one that
// cannot start is not relaunched in a tight loop (docs/YAML.md, "restart").
constexpr Duration kFirstBackoff = std::chrono::milliseconds(100);
constexpr Duration kMaxBackoff = std::chrono::seconds(5);
// How often a pea on another host that is due to restart looks again whether its daemon has
// reported the old process's end (the daemon looks at its children every 100 ms).
constexpr Duration kRemoteEndRecheck = std::chrono::milliseconds(100);
// How long a start that saw a pea exit waits for the `failed` it sent before exiting (already
// in the control socket's kernel buffer, or in libzmq's I/O thread), so that the start fails
// with the pea's reason rather than only its exit code.
constexpr Duration kLastWords = std::chrono::milliseconds(500);

Duration backoff_after(std::size_t recent_restarts) {
  Duration backoff = kFirstBackoff;
  for (std::size_t i = 0; i < recent_restarts && backoff < kMaxBackoff; ++i) backoff *= 2;
  return std::min(backoff, kMaxBackoff);
}

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
    log("flow", LogLevel::warn,
        "links to other hosts are not encrypted (the flow has no curve:); see docs/HOSTS.md");
  }
  flow_id_ = flow_id;
  session_ = session;
  if (session) {
    session_env_.push_back(std::string(kCurveSessionEnv) + "=" + curve_session_env_value(*session));
  }
  executable_ =
      options_.jflow_executable.empty() ? find_jflow_executable() : options_.jflow_executable;
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
      slot.handle = start_pea(pea);
    } catch (const std::exception& e) {
      // Every slot in peas_ has a handle (stopping reads them all): drop this one, and let the
      // start fail once, naming the pea; the peas started so far are stopped by the failed start.
      peas_.pop_back();
      throw FlowError("cannot start pea '" + pea.name + "' (" + std::to_string(peas_.size()) +
                      " of " + std::to_string(graph.peas.size()) + " started): " + e.what());
    }
  }
}

std::unique_ptr<PeaHandle> PeaSupervisor::start_pea(const PeaPlan& pea) {
  if (!pea.host.empty()) {
    return start_remote_pea(daemon_for(pea.host, flow_id_), pea.name, control_remote_, flow_id_,
                            session_);
  }
  if (pea.runtime == Runtime::thread) {
    const DriverRegistry& drivers = options_.drivers ? *options_.drivers : registered_drivers();
    return start_thread_pea(context_, control_inproc_, pea.name, drivers);
  }
  if (!output_relay_) output_relay_.emplace();
  const int output = output_relay_->open_pipe(pea.name);
  try {
    auto handle = start_process_pea(executable_, control_tcp_, pea.name, session_env_, output);
    ::close(output);
    return handle;
  } catch (...) {
    ::close(output);  // the relay then sees the pipe end, and drops it
    throw;
  }
}

void PeaSupervisor::read_start_messages(const WiringContext& context) {
  if (!wiring_) wiring_.emplace(context);
  while (true) {
    std::optional<ControlMessage> message;
    try {
      message = try_recv_control(*control_, true);
    } catch (const DecodeError& e) {
      log("flow", LogLevel::warn, std::string("bad control message during start: ") + e.what());
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
      // A pea that cannot start says why (`failed`: read_start_messages throws with its reason)
      // and then exits, and its exit may be seen before that message is read: it gets a moment
      // for its last words before the start fails with only how it ended.
      if (!slot.seen_ended) slot.seen_ended = now;
      if (now - *slot.seen_ended < kLastWords) continue;
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
  results_endpoint_ = results_endpoint;
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
      if (slot->restarting) handle_restart_message(*slot, *message);
      // Only a serving incarnation's: a late one from a pea already declared dead (SIGSTOP,
      // SIGCONT) would count its bytes twice once its totals went to the restarted one.
      if (message->command == control::kHeartbeat && metrics_ &&
          slot->state == PeaSlot::State::wired && !slot->restarting)
        record_heartbeat(*slot, *message);
      if (message->command == control::kRejected) {
        const std::string why = text_field(*message, "message", "?");
        slot->last_error = why;
        log("flow", LogLevel::warn, "pea '" + slot->name + "' rejected a message: " + why);
      }
    } catch (const DecodeError& e) {
      log("flow", LogLevel::warn, std::string("bad control message: ") + e.what());
    }
  }
}

// The figures a heartbeat carries for the flow's metrics (control.hpp); a field missing or of
// another type reads as 0.
void PeaSupervisor::record_heartbeat(const PeaSlot& slot, const ControlMessage& message) {
  const auto count = [&message](const std::string& key) {
    return static_cast<std::uint64_t>(std::max<std::int64_t>(integer_field_or(message, key, 0), 0));
  };
  PeaReport report;
  report.received_bytes = count("in_bytes");
  report.sent_bytes = count("out_bytes");
  report.in_flight = count("in_flight");
  constexpr std::string_view kCredit = "credit:";
  for (const auto& [key, value] : message.fields) {
    if (key.starts_with(kCredit))
      report.replica_credits.emplace_back(key.substr(kCredit.size()), count(key));
  }
  metrics_->on_heartbeat(slot.pod->name, slot.name, report);
}

// A restarted pea goes through the start handshake again, alone: configured as before but told
// to bind the endpoints it had, wired to the same neighbours. A restarted head's replicas are told
// to give it credit (their DEALERs reconnect by themselves); it reports wired once they have.
void PeaSupervisor::handle_restart_message(PeaSlot& slot, const ControlMessage& message) {
  if (message.command == control::kHello) {
    ControlMessage configure = configure_message(*wiring_, *slot.plan);
    if (!slot.endpoints.in.empty()) configure.fields["bind_in"] = slot.endpoints.in;
    if (!slot.endpoints.router.empty()) configure.fields["bind_router"] = slot.endpoints.router;
    send_control_to(*control_, configure);
  } else if (message.command == control::kReady) {
    PeaEndpoints bound;
    try {
      bound = read_ready(slot.plan->role, message.endpoints);
    } catch (const FlowError& e) {
      slot.handle->kill();
      mark_dead(slot, e.what(), steady_now());
      return;
    }
    move_endpoint(slot, slot.endpoints.in, bound.in);
    move_endpoint(slot, slot.endpoints.router, bound.router);
    slot.state = PeaSlot::State::ready;
    send_control_to(*control_, wire_for(*slot.plan, endpoints(), results_endpoint_));
    if (slot.plan->role != PeaRole::head) return;
    for (const PeaSlot& other : peas_) {
      if (other.plan->role != PeaRole::replica || other.plan->head != slot.name) continue;
      ControlMessage rejoin;
      rejoin.command = control::kRejoin;
      rejoin.pea = other.name;
      send_control_to(*control_, rejoin);
    }
  } else if (message.command == control::kWired) {
    slot.state = PeaSlot::State::wired;
    slot.restarting = false;
    log("flow", LogLevel::info,
        "pea '" + slot.name + "' is back (restart " + std::to_string(slot.restarts) + ")");
    if (slot.plan->role != PeaRole::replica) {
      events_.push_back({PeaEvent::Kind::back, slot.pod->name, ""});
    }
  } else if (message.command == control::kFailed) {
    // A pea that cannot start again counts as one more crash; it may exit by itself too, so it
    // is killed first to be sure the next incarnation does not meet it.
    slot.handle->kill();
    mark_dead(slot, "failed to start again: " + text_field(message, "message", "no reason given"),
              steady_now());
  }
}

// A restarted pea that could not bind its predecessor's endpoint (a new pod address, a port
// taken) reports another one: every other pea is told to connect there instead — those that were
// never connected to the old one ignore it, and one that is itself restarting gets the new one in
// its `wire` — and so is the gateway (moved_endpoints()).
void PeaSupervisor::move_endpoint(const PeaSlot& slot, std::string& endpoint,
                                  const std::string& bound) {
  if (bound == endpoint) return;
  log("flow", LogLevel::info,
      "pea '" + slot.name + "' is back at " + bound + " (was " + endpoint +
          "): its neighbours reconnect");
  for (const PeaSlot& other : peas_) {
    if (&other == &slot || other.state == PeaSlot::State::dead) continue;
    ControlMessage rewire;
    rewire.command = control::kRewire;
    rewire.pea = other.name;
    rewire.fields["from"] = endpoint;
    rewire.fields["to"] = bound;
    send_control_to(*control_, rewire);
  }
  moved_.push_back({endpoint, bound});
  endpoint = bound;
}

void PeaSupervisor::check_health(SteadyTime now) {
  for (PeaSlot& slot : peas_) {
    if (slot.state == PeaSlot::State::dead) {
      if (slot.restart_at && now >= *slot.restart_at && remote_end_known(slot, now)) {
        restart(slot, now);
      }
      continue;
    }
    if (auto how = slot.handle->ended()) {
      mark_dead(slot, how->describe(), now);
    } else if (slot.restarting && now - slot.last_seen > slot.pod->timeout_ready) {
      slot.handle->kill();
      mark_dead(slot,
                "did not come back within " + format_duration(slot.pod->timeout_ready) +
                    " (timeout_ready)",
                now);
    } else if (!slot.restarting && now - slot.last_seen > options_.heartbeat_timeout) {
      slot.handle->kill();
      // A silent thread cannot be killed: a second one would meet it on the same endpoints.
      const bool can_restart = slot.plan->runtime != Runtime::thread;
      mark_dead(slot, "sent no heartbeat for " + format_duration(options_.heartbeat_timeout), now,
                can_restart);
      if (!can_restart) slot.last_error += "; not restarted (a hung thread pea cannot be killed)";
    }
  }
}

std::optional<SteadyTime> PeaSupervisor::next_restart() const {
  std::optional<SteadyTime> next;
  for (const PeaSlot& slot : peas_) {
    if (slot.restart_at && (!next || *slot.restart_at < *next)) next = slot.restart_at;
  }
  return next;
}

void PeaSupervisor::mark_dead(PeaSlot& slot, const std::string& how, SteadyTime now,
                              bool can_restart) {
  slot.state = PeaSlot::State::dead;
  slot.restarting = false;
  std::string who = "pea '" + slot.name + "'";
  if (slot.handle->pid() != 0) who += " (pid " + std::to_string(slot.handle->pid()) + ")";
  if (!slot.handle->host().empty()) who += " on host " + slot.handle->host();
  slot.last_error = who + " " + how;
  const bool again = can_restart && schedule_restart(slot, now);
  if (again && host_silent(slot)) note_waiting_for_host(slot);
  log("flow", LogLevel::error,
      slot.last_error + (again && !host_silent(slot) ? "; restarting it" : ""));
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
  events_.push_back({again ? PeaEvent::Kind::down : PeaEvent::Kind::lost, slot.pod->name,
                     again ? slot.last_error + "; pod '" + slot.pod->name + "' is restarting it"
                           : slot.last_error});
}

// Whether `slot` is to be started again, and when; notes in last_error why not when it is not.
bool PeaSupervisor::schedule_restart(PeaSlot& slot, SteadyTime now) {
  const PodSpec& pod = *slot.pod;
  if (pod.restart == RestartPolicy::never) return false;
  if (host_gone(slot)) return false;
  while (!slot.recent_restarts.empty() && now - slot.recent_restarts.front() > pod.restart_window)
    slot.recent_restarts.pop_front();
  if (slot.recent_restarts.size() >= pod.max_restarts) {
    slot.last_error += "; not restarted again: it was restarted " +
                       std::to_string(slot.recent_restarts.size()) + " times within " +
                       format_duration(pod.restart_window) + " (max_restarts)";
    slot.gave_up = true;
    return false;
  }
  slot.restart_at = now + backoff_after(slot.recent_restarts.size());
  return true;
}

// A pea on another host is started again through its daemon, and only once the daemon has
// reported how the old process ended: until then the daemon still holds the name (a launch would
// be refused) and might yet send news of the old process. A kill is sent again meanwhile, in case
// the first was lost. A daemon that is gone ends the wait: that is the host failing, not the pea.
bool PeaSupervisor::remote_end_known(PeaSlot& slot, SteadyTime now) {
  if (slot.plan->host.empty()) return true;
  if (host_silent(slot)) {
    if (note_waiting_for_host(slot)) {
      log("flow", LogLevel::error, slot.last_error);
      if (slot.plan->role != PeaRole::replica) {
        events_.push_back({PeaEvent::Kind::down, slot.pod->name,
                           slot.last_error + "; pod '" + slot.pod->name + "' is restarting it"});
      }
    }
    slot.restart_at = now + kRemoteEndRecheck;  // until a daemon answers there again
    return false;
  }
  if (host_gone(slot)) {
    slot.restart_at.reset();
    log("flow", LogLevel::error, slot.last_error);
    if (slot.plan->role != PeaRole::replica) {
      events_.push_back({PeaEvent::Kind::lost, slot.pod->name, slot.last_error});
    }
    return false;
  }
  if (slot.handle->ended()) return true;
  slot.handle->kill();
  slot.restart_at = now + kRemoteEndRecheck;
  return false;
}

// Whether the daemon that runs `slot` has stopped answering (and is pinged until it does): the
// pea is dead, and is restarted there once a daemon answers at the address again — the same one
// behind a healed network, or a new one (an engine such as Kubernetes restarted its container).
bool PeaSupervisor::host_silent(const PeaSlot& slot) const {
  if (slot.plan->host.empty()) return false;
  auto link = daemons_.find(slot.plan->host);
  return link != daemons_.end() && link->second->lost() && !link->second->lost_for_good();
}

// Adds to last_error, once, that `slot` waits for its silent host and why; false if it was there.
bool PeaSupervisor::note_waiting_for_host(PeaSlot& slot) {
  const std::string waiting =
      "; restarting it when a daemon answers at " + slot.plan->host + " again";
  if (slot.last_error.find(waiting) != std::string::npos) return false;
  const std::string& why = *daemons_.at(slot.plan->host)->lost();
  if (slot.last_error.find(why) == std::string::npos) slot.last_error += "; " + why;
  slot.last_error += waiting;
  return true;
}

// Whether the daemon that runs `slot` is lost for good (it refused our key); if so the pea is
// dead for good, as the pod's other peas there: it is not restarted, and last_error names the
// host.
bool PeaSupervisor::host_gone(PeaSlot& slot) {
  if (slot.plan->host.empty()) return false;
  auto link = daemons_.find(slot.plan->host);
  if (link == daemons_.end() || !link->second->lost_for_good()) return false;
  if (!slot.gave_up) {
    slot.gave_up = true;
    const std::string& why = *link->second->lost();
    if (slot.last_error.find(why) == std::string::npos) slot.last_error += "; " + why;
    slot.last_error += "; not restarted: its host " + slot.plan->host +
                       " refused this orchestrator (fix its keys, then restart the flow)";
  }
  return true;
}

void PeaSupervisor::restart(PeaSlot& slot, SteadyTime now) {
  slot.restart_at.reset();
  slot.handle->kill();  // already dead or killed; a no-op then
  slot.handle->reap();
  slot.recent_restarts.push_back(now);
  ++slot.restarts;
  if (metrics_) metrics_->on_restart(slot.pod->name, slot.name);
  try {
    slot.handle = start_pea(*slot.plan);
  } catch (const std::exception& e) {
    mark_dead(slot, std::string("could not be started again: ") + e.what(), now);
    return;
  }
  slot.state = PeaSlot::State::starting;
  slot.restarting = true;
  slot.said_bye = false;
  slot.last_seen = now;
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
    if (killed_on_another_host(slot)) continue;
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
    if (!slot.handle->ended() && !killed_on_another_host(slot)) {
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

// A dead pea on another host was killed through its daemon when it was found dead; whether the
// daemon has said so yet does not matter at close, as the `bye` that ends the session makes the
// daemon kill whatever of this flow still runs there. Waiting for that word would wait out the
// stop grace whenever the host itself died before its daemon counted as silent.
bool PeaSupervisor::killed_on_another_host(const PeaSlot& slot) const {
  return slot.state == PeaSlot::State::dead && !slot.plan->host.empty();
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
  log("flow", LogLevel::error, problem);
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
    s.state = slot.gave_up                            ? "failed"
              : slot.restart_at || slot.restarting    ? "restarting"
              : slot.state == PeaSlot::State::wired   ? "running"
              : slot.state == PeaSlot::State::dead    ? "dead"
              : slot.state == PeaSlot::State::stopped ? "stopped"
                                                      : "starting";
    s.role = std::string(pea_role_name(slot.plan->role));
    s.restarts = slot.restarts;
    s.last_error = slot.last_error;
    out.push_back(std::move(s));
  }
  return out;
}

// A pod serves while its lone pea, head and tail are wired and, among its replicas, at least one
// (polling any) or every one (polling all: each request needs all shards) is.
std::vector<PodHealth> PeaSupervisor::health() const {
  std::vector<PodHealth> pods;
  for (const PodSpec& pod : spec_.pods) {
    PodHealth& health = pods.emplace_back();
    health.pod = pod.name;
    std::vector<std::string> down;  // "pea 'b': restarting: …"
    std::size_t replicas = 0, replicas_alive = 0;
    bool core_missing = false;
    for (const PeaSlot& slot : peas_) {
      if (slot.pod != &pod) continue;
      const bool alive = slot.state == PeaSlot::State::wired;
      ++health.peas;
      health.peas_alive += alive ? 1 : 0;
      if (slot.plan->role == PeaRole::replica) {
        ++replicas;
        replicas_alive += alive ? 1 : 0;
      } else {
        core_missing |= !alive;
      }
      if (alive) continue;
      const char* what = slot.gave_up                         ? "failed"
                         : slot.restart_at || slot.restarting ? "restarting"
                         : slot.state == PeaSlot::State::dead ? "dead"
                                                              : "not running";
      down.push_back("pea '" + slot.name + "' " + what +
                     (slot.last_error.empty() ? "" : " (" + slot.last_error + ")"));
    }
    const bool replicas_enough =
        replicas == 0 ||
        (pod.polling == Polling::all ? replicas_alive == replicas : replicas_alive > 0);
    health.ready = !core_missing && replicas_enough;
    if (!health.ready) {
      for (const std::string& line : down) health.why += (health.why.empty() ? "" : "; ") + line;
    }
  }
  return pods;
}

}  // namespace jflow::detail
