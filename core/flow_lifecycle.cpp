// Starting and stopping a flow: launch every pea at once, configure each as it says hello, wire
// them once all are ready, and on close drain, terminate, and reap.
#include <iostream>
#include <random>
#include <sstream>

#include "flow_impl.hpp"
#include "jflow/control.hpp"
#include "jflow/control_channel.hpp"
#include "jflow/endpoint.hpp"

namespace jflow {
namespace {

std::string random_flow_id() {
  std::random_device device;
  std::ostringstream id;
  id << std::hex << device() << device();
  return id.str();
}

constexpr auto kStopGrace = std::chrono::seconds(2);

}  // namespace

Flow::Impl::Impl(FlowSpec spec, FlowOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {}

Flow::Impl::~Impl() {
  close();
}

void Flow::Impl::start() {
  if (phase_ != Phase::idle) throw FlowError("start: the flow was already started");
  if (spec_.pods.empty()) throw FlowError("start: the flow has no pods");
  phase_ = Phase::running;
  flow_id_ = random_flow_id();
  try {
    control_.emplace(context_, zmq::socket_type::router);
    control_->set(zmq::sockopt::router_mandatory, true);
    control_->set(zmq::sockopt::linger, 0);
    control_inproc_ = "inproc://jflow-" + flow_id_ + "-control";
    control_->bind(control_inproc_);
    results_.emplace(context_, zmq::socket_type::pull);
    set_common_options(*results_);
    results_endpoint_ =
        bind_any(*results_, spec_.transport, spec_.host, "jflow-" + flow_id_ + "-results");
    launch_peas();
    await_all(PeaSlot::State::ready, "become ready");
    for (std::size_t i = 0; i < peas_.size(); ++i) {
      ControlMessage wire;
      wire.command = control::kWire;
      wire.pea = peas_[i].name;
      wire.endpoints.push_back(i + 1 < peas_.size() ? peas_[i + 1].endpoint : results_endpoint_);
      send_control_to(*control_, wire);
    }
    await_all(PeaSlot::State::wired, "be wired");
    gateway_.emplace(context_, zmq::socket_type::push);
    set_common_options(*gateway_);
    gateway_->set(zmq::sockopt::sndhwm,
                  static_cast<int>(std::max<std::size_t>(1000, options_.max_in_flight)));
    gateway_->connect(peas_.front().endpoint);
    next_health_check_ = steady_now();
  } catch (...) {
    abort_start();
    throw;
  }
}

void Flow::Impl::launch_peas() {
  bool any_process = false;
  for (const PodSpec& pod : spec_.pods) any_process |= pod.runtime == Runtime::process;
  if (any_process) {
    // Process peas reach the control socket over loopback tcp; port 0, read back.
    control_->bind("tcp://127.0.0.1:*");
    control_tcp_ = control_->get(zmq::sockopt::last_endpoint);
  }
  std::filesystem::path executable =
      options_.jflow_executable.empty() ? find_jflow_executable() : options_.jflow_executable;
  peas_.reserve(spec_.pods.size());
  for (const PodSpec& pod : spec_.pods) {
    PeaSlot& slot = peas_.emplace_back();
    slot.pod = &pod;
    slot.name = pod.name;
    slot.last_seen = steady_now();
    slot.handle = pod.runtime == Runtime::thread
                      ? start_thread_pea(context_, control_inproc_, slot.name)
                      : start_process_pea(executable, control_tcp_, slot.name);
  }
}

void Flow::Impl::await_all(PeaSlot::State state, const char* what) {
  while (true) {
    bool all = true;
    for (const PeaSlot& slot : peas_) all &= slot.state == state;
    if (all) return;
    zmq::pollitem_t item{control_->handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(20));
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
    SteadyTime now = steady_now();
    for (PeaSlot& slot : peas_) {
      if (slot.state == state) continue;
      if (auto how = slot.handle->ended()) {
        throw FlowError("pea '" + slot.name + "' " + *how + " before it could " + what);
      }
      Duration timeout = slot.pod->timeout_ready;
      if (now - slot.last_seen > timeout) {
        throw FlowError("pea '" + slot.name + "' did not " + what + " within " +
                        format_duration(timeout) + " (timeout_ready)");
      }
    }
  }
}

void Flow::Impl::handle_start_control(const ControlMessage& message) {
  PeaSlot* slot = find_slot(message.pea);
  if (slot == nullptr) return;
  if (message.command == control::kHello) {
    PeaConfig config;
    config.pod = slot->pod->name;
    config.pea = slot->name;
    config.flow_id = flow_id_;
    config.transport = spec_.transport;
    config.host = spec_.host;
    config.drivers = slot->pod->drivers;
    config.heartbeat_interval = options_.heartbeat_interval;
    send_control_to(*control_, make_configure(config));
  } else if (message.command == control::kReady) {
    if (message.endpoints.size() != 1) {
      throw FlowError("pea '" + slot->name + "' reported " +
                      std::to_string(message.endpoints.size()) + " endpoints, expected 1");
    }
    slot->endpoint = message.endpoints.front();
    slot->state = PeaSlot::State::ready;
    slot->last_seen = steady_now();  // readiness restarts the clock for wiring
  } else if (message.command == control::kWired) {
    slot->state = PeaSlot::State::wired;
    slot->last_seen = steady_now();
  } else if (message.command == control::kFailed) {
    auto it = message.fields.find("message");
    std::string why = it != message.fields.end() && std::holds_alternative<std::string>(it->second)
                          ? std::get<std::string>(it->second)
                          : "no reason given";
    throw FlowError("pea '" + slot->name + "' failed to start: " + why);
  }
}

void Flow::Impl::abort_start() {
  stop_peas();
  gateway_.reset();
  results_.reset();
  control_.reset();
  phase_ = Phase::closed;
}

void Flow::Impl::close() {
  if (phase_ == Phase::closed) return;
  if (phase_ == Phase::idle) {
    phase_ = Phase::closed;
    return;
  }
  phase_ = Phase::closing;
  SteadyTime give_up = steady_now() + options_.close_timeout;
  while (!pending_.empty() && !broken_ && steady_now() < give_up) {
    poll(std::chrono::duration_cast<Duration>(give_up - steady_now()));
  }
  fail_all(StatusCode::closed, "the flow closed before the reply came", "");
  fire_ready_callbacks();
  stop_peas();
  gateway_.reset();
  results_.reset();
  control_.reset();
  phase_ = Phase::closed;
}

// Terminate every pea, re-sending until each has ended (a pea that is still connecting cannot
// hear the first one); after the grace period, kill what is left. Then reap everything.
void Flow::Impl::stop_peas() {
  SteadyTime give_up = steady_now() + kStopGrace;
  SteadyTime next_send = steady_now();
  while (control_) {
    bool all_ended = true;
    for (PeaSlot& slot : peas_) {
      if (slot.handle->ended()) continue;
      all_ended = false;
      if (steady_now() >= next_send) {
        ControlMessage terminate;
        terminate.command = control::kTerminate;
        terminate.pea = slot.name;
        send_control_to(*control_, terminate);
      }
    }
    if (all_ended || steady_now() >= give_up) break;
    if (steady_now() >= next_send) next_send = steady_now() + std::chrono::milliseconds(100);
    zmq::pollitem_t item{control_->handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::milliseconds(10));
    while (true) {  // bye and late reports: read to keep the queue short; nothing to act on
      try {
        if (!try_recv_control(*control_, true)) break;
      } catch (const DecodeError&) {
      }
    }
  }
  for (PeaSlot& slot : peas_) {
    if (!slot.handle->ended()) {
      std::cerr << "jflow: pea '" << slot.name << "' did not stop within "
                << format_duration(kStopGrace) << "; killing it\n";
      slot.handle->kill();
    }
  }
  for (PeaSlot& slot : peas_) {
    slot.handle->reap();
    if (slot.state != PeaSlot::State::dead) slot.state = PeaSlot::State::stopped;
  }
}

}  // namespace jflow
