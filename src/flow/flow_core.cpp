// The flow's phases as steps that process() advances, so no call blocks: start (launch every pea
// at once, configure each as it says hello, wire them once all are ready), run (requests and
// replies, deadlines, health), close (drain, then stop every pea and reap it).
#include "flow/flow_core.hpp"

#include <filesystem>

#include <random>
#include <sstream>

#include "jflow/duration.hpp"
#include "jflow/log.hpp"
#include "net/curve_link.hpp"

namespace jflow::detail {
namespace {

std::string random_flow_id() {
  std::random_device device;
  std::ostringstream id;
  id << std::hex << device() << device();
  return id.str();
}

// How often pea processes are checked for exit and missed heartbeats.
constexpr auto kHealthInterval = std::chrono::milliseconds(50);
// While starting or stopping, peas are checked for exit and timeouts this often.
constexpr auto kStartCheck = std::chrono::milliseconds(20);
// A pea says `bye` and exits a moment later; no fd tells of the exit, so the stop looks again
// soon (a close waits up to this long after the last pea's bye).
constexpr auto kStopCheck = std::chrono::milliseconds(2);

}  // namespace

FlowCore::FlowCore(FlowSpec spec, FlowOptions options)
    : spec_(std::move(spec)),
      options_(std::move(options)),
      supervisor_(context_, wake_, spec_, options_),
      metrics_(spec_.source.empty() ? "flow" : std::filesystem::path(spec_.source).stem().string()),
      gateway_(context_, wake_),
      owner_(std::this_thread::get_id()) {
  if (options_.metrics) {
    gateway_.set_metrics(&metrics_);
    supervisor_.set_metrics(&metrics_);
  }
  // FlowOptions::max_in_flight 0 means "the flow file's" (FlowSpec::max_in_flight).
  if (options_.max_in_flight == 0) options_.max_in_flight = spec_.max_in_flight;
}

FlowCore::~FlowCore() = default;

void FlowCore::check_owner(const char* what) const {
  if (std::this_thread::get_id() != owner_) {
    throw FlowError(std::string(what) +
                    ": called from a thread that does not own the flow (a flow belongs to the "
                    "thread that started it)");
  }
}

// ---- start ----

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
  log("flow", LogLevel::debug,
      "starting " + std::to_string(graph_.peas.size()) + " peas (flow " + flow_id_ + ")");
  try {
    if (spec_.curve) session_ = generate_curve_keys();  // fresh for every run
    supervisor_.open_control(flow_id_, session_);
    gateway_.open_results(spec_, flow_id_, session_);
    supervisor_.launch(graph_, flow_id_, session_);
  } catch (const std::exception& e) {
    fail_start(e.what());
  }
  rearm();
}

// One step of the start handshake: answer hellos, record ready/wired peas, wire once all are
// ready, and run once all are wired. A pea that ended or stayed silent fails the start.
void FlowCore::step_start(SteadyTime now) {
  try {
    supervisor_.read_start_messages(
        WiringContext{spec_, graph_, flow_id_, options_.heartbeat_interval, session_});
    if (start_target_ == PeaSlot::State::ready &&
        supervisor_.all_reached(PeaSlot::State::ready, "become ready", now)) {
      supervisor_.send_wiring(gateway_.results_endpoint());
      start_target_ = PeaSlot::State::wired;
    }
    if (start_target_ != PeaSlot::State::wired ||
        !supervisor_.all_reached(PeaSlot::State::wired, "be wired", now))
      return;
    gateway_.connect(gateway_targets(graph_, supervisor_.endpoints()), options_.max_in_flight,
                     session_);
  } catch (const std::exception& e) {
    fail_start(e.what());
    return;
  }
  next_health_check_ = now;
  phase_ = Phase::running;
  log("flow", LogLevel::debug,
      "running: " + std::to_string(graph_.peas.size()) + " peas wired (flow " + flow_id_ + ")");
  if (auto started = std::exchange(on_started_, nullptr)) started(std::nullopt);
}

// The start failed: stop whatever was launched; on_started hears the error once all is stopped.
void FlowCore::fail_start(const std::string& why) {
  start_error_ = FlowError(why);
  begin_stop(steady_now());
}

// ---- running ----

std::string FlowCore::submit(Request request, ResponseCallback done, Duration timeout) {
  check_owner("submit");
  if (phase_ == Phase::idle) throw FlowError("submit: the flow is not started");
  if (phase_ == Phase::starting) throw FlowError("submit: the flow is still starting");
  if (phase_ != Phase::running) throw FlowError("submit: the flow is closed");
  // Back-pressure: at most max_in_flight requests travel at once; the caller waits, not a queue.
  if (at_capacity()) {
    throw FlowError("submit: " + std::to_string(options_.max_in_flight) +
                    " requests in flight (max_in_flight); wait for replies");
  }
  if (timeout == Duration::zero()) timeout = spec_.request_timeout;
  const bool ends_at_once = gateway_.refusing();
  std::string id = gateway_.send(std::move(request), std::move(done), timeout);
  // Sending may have consumed the sockets' edge (ZMQ_FD) and a deadline may be new: re-arm so
  // the fd tells the truth. Inside process() the final re-arm does it.
  if (!in_process_) ends_at_once ? rearm() : rearm_after_submit();
  return id;
}

void FlowCore::step_running(SteadyTime now, std::size_t budget) {
  supervisor_.read_control();
  gateway_.flush_outbox();
  gateway_.read_results(budget);
  gateway_.flush_outbox();  // what the replies' callbacks submitted, held for a burst
  gateway_.expire_deadlines(steady_now());
  const auto restart = supervisor_.next_restart();
  if (now >= next_health_check_ || (restart && now >= *restart)) {
    supervisor_.check_health(steady_now());
    next_health_check_ = steady_now() + kHealthInterval;
  }
  // Also after read_control(): a restarted pea reports itself wired there.
  for (const EndpointMove& move : supervisor_.take_moved_endpoints()) {
    gateway_.reconnect(move.from, move.to);
  }
  for (const PeaEvent& event : supervisor_.take_events()) {
    switch (event.kind) {
      case PeaEvent::Kind::down:
        gateway_.pod_down(event.pod, event.why);
        break;
      case PeaEvent::Kind::lost:
        gateway_.break_flow(event.why, event.pod);
        break;
      case PeaEvent::Kind::back:
        gateway_.pod_back(event.pod);
        break;
    }
  }
}

// ---- close ----

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
  if (!gateway_.idle() && !gateway_.broken() && now < close_give_up_) return;
  // The gateway ends them (no pod answered in time), so it is the pod named.
  gateway_.end_all(StatusCode::closed,
                   "the flow closed before the reply came (close_timeout of " +
                       format_duration(options_.close_timeout) + " passed)",
                   "gateway");
  begin_stop(now);
}

void FlowCore::begin_stop(SteadyTime now) {
  phase_ = Phase::stopping;
  supervisor_.begin_stop(now);
}

void FlowCore::step_stop(SteadyTime now) {
  gateway_.read_results(AsyncFlow::kUnlimited);  // late replies; nobody waits for them
  if (!supervisor_.step_stop(now)) return;
  gateway_.close();
  phase_ = Phase::closed;
  if (start_error_) {
    if (auto started = std::exchange(on_started_, nullptr)) started(start_error_);
  }
  if (auto closed = std::exchange(on_closed_, nullptr)) closed();
}

// ---- process and the fd ----

std::size_t FlowCore::process(std::size_t budget) {
  check_owner("process");
  if (in_process_) throw FlowError("process: re-entered from inside a flow callback");
  in_process_ = true;
  const std::uint64_t before = gateway_.ended_count();
  try {
    wake_.drain();
    SteadyTime now = steady_now();
    supervisor_.pump_daemons(now);
    switch (phase_) {
      case Phase::starting:
        step_start(now);
        break;
      case Phase::running:
      case Phase::closing:
        step_running(now, budget);
        if (phase_ == Phase::closing) step_close(now);
        break;
      case Phase::stopping:
        step_stop(now);
        break;
      case Phase::idle:
      case Phase::closed:
        break;
    }
    const std::uint64_t ended = gateway_.ended_count() - before;
    gateway_.deliver_ready(budget > ended ? budget - ended : 0);
  } catch (...) {
    in_process_ = false;
    rearm();
    throw;
  }
  in_process_ = false;
  rearm();
  return gateway_.ended_count() - before;
}

bool FlowCore::has_ready_work() {
  // Both parts read every socket's ZMQ_EVENTS, for their ZMQ_FD edges' sake: no short cut.
  const bool input = supervisor_.has_input();
  const bool reading_results =
      phase_ == Phase::running || phase_ == Phase::closing || phase_ == Phase::stopping;
  const bool gateway = gateway_.has_ready_work(reading_results);
  return input || gateway;
}

std::optional<SteadyTime> FlowCore::next_wakeup() const {
  switch (phase_) {
    case Phase::starting:
      return steady_now() + kStartCheck;
    case Phase::closing:
      // Nothing left to drain: stop the peas now rather than at the next health check (up to
      // 50 ms later, which was a third of a short flow's life).
      if (gateway_.idle() || gateway_.broken()) return steady_now();
      [[fallthrough]];
    case Phase::running: {
      SteadyTime wake = next_health_check_;
      if (auto restart = supervisor_.next_restart(); restart && *restart < wake) wake = *restart;
      if (auto deadline = gateway_.next_deadline(); deadline && *deadline < wake) wake = *deadline;
      if (phase_ == Phase::closing && close_give_up_ < wake) wake = close_give_up_;
      return wake;
    }
    case Phase::stopping:
      return steady_now() + kStopCheck;
    case Phase::idle:
    case Phase::closed:
      break;
  }
  return std::nullopt;
}

// After anything that touched the sockets: if work is ready that no ZMQ_FD edge will announce,
// signal the WakeFd; arm its timer for the next timed step.
void FlowCore::rearm() {
  work_ready_ = has_ready_work();
  signal_and_arm();
}

// A submit sent on (or queued for) the gateway and nothing else: the control and results sockets
// were not touched, so their ZMQ_FD edges and the last re-arm's verdict on them still hold;
// reading their ZMQ_EVENTS again (a poll() system call each) would change nothing. Only a queued
// request needs the gateway's writability (a held one is sent by the next process() whatever
// it); and the new deadline may be the earliest.
void FlowCore::rearm_after_submit() {
  if (gateway_.holding() || gateway_.outbox_sendable()) work_ready_ = true;
  signal_and_arm();
}

void FlowCore::signal_and_arm() {
  if (work_ready_) wake_.signal();
  wake_.arm(next_wakeup());
}

std::optional<Duration> FlowCore::next_timeout() const {
  if (work_ready_) return Duration::zero();
  auto when = next_wakeup();
  if (!when) return std::nullopt;
  auto left = std::chrono::duration_cast<Duration>(*when - steady_now());
  return left > Duration::zero() ? left : Duration::zero();
}

}  // namespace jflow::detail
