#include "hosts/daemon_link.hpp"

#include <atomic>

#include <zmq_addon.hpp>

#include "base/log_output.hpp"
#include "control/control_channel.hpp"
#include "control/daemon_protocol.hpp"
#include "control/pea_end.hpp"
#include "jflow/log.hpp"
#include "net/curve_link.hpp"
#include "net/endpoint.hpp"
#include "net/socket_monitor.hpp"

namespace jflow::detail {
namespace dp = daemon_protocol;
namespace {

std::string unique_monitor_name() {
  static std::atomic<int> next{0};
  return "jflow-daemon-link-monitor-" + std::to_string(next++);
}

}  // namespace

DaemonLink::DaemonLink(zmq::context_t& context, std::string address,
                       const std::optional<CurveKeyPair>& own_keys,
                       const std::string& daemon_public, const std::string& flow_id)
    : address_(std::move(address)),
      socket_(context, zmq::socket_type::dealer),
      monitor_(context, zmq::socket_type::pair),
      last_heard_(steady_now()) {
  set_common_options(socket_);
  socket_.set(zmq::sockopt::routing_id, "flow-" + flow_id);
  // Reconnecting every 10 ms to a host that is gone would only add noise; 100 ms is plenty.
  socket_.set(zmq::sockopt::reconnect_ivl, 100);
  socket_.set(zmq::sockopt::linger, 200);  // time for the last `bye` to leave
  set_link_heartbeats(socket_);
  if (own_keys) make_curve_client(socket_, *own_keys, daemon_public);
  monitor_socket(socket_, monitor_, unique_monitor_name(),
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                     ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
  socket_.connect("tcp://" + address_);
}

DaemonLink::~DaemonLink() {
  zmq_socket_monitor(socket_.handle(), nullptr, 0);
}

void DaemonLink::send(const ControlMessage& message) {
  // A DEALER queues on its connected pipe; a full queue (a daemon gone for long) drops the
  // message rather than blocking the flow's loop: heartbeats and the silence check cover that.
  const std::string bytes = encode_control(message);
  (void)socket_.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
}

void DaemonLink::launch(const std::string& pea, const std::string& control_endpoint,
                        const std::string& flow_id, const std::optional<CurveKeyPair>& session) {
  ControlMessage message;
  message.command = dp::kLaunch;
  message.fields["pea"] = pea;
  message.fields["control"] = control_endpoint;
  message.fields["flow"] = flow_id;
  if (session) message.fields["curve_session"] = curve_session_env_value(*session);
  // The pea logs as this process does: its lines come back here (handle(), kLog).
  message.fields["log_level"] = std::string(log_level_name(log_settings().level));
  message.fields["log_format"] = std::string(log_format_name(log_settings().format));
  // A restart launches the same name again: what was known of the last incarnation (its pid, how
  // it ended) is forgotten, and late news of it is told apart by the incarnation the daemon echoes.
  RemotePeaState& state = peas_[pea];
  const std::int64_t incarnation = state.incarnation + 1;
  state = RemotePeaState{};
  state.incarnation = incarnation;
  message.fields[dp::kIncarnation] = state.incarnation;
  send(message);
}

void DaemonLink::kill(const std::string& pea) {
  ControlMessage message;
  message.command = dp::kKill;
  message.fields["pea"] = pea;
  if (auto it = peas_.find(pea); it != peas_.end()) {
    message.fields[dp::kIncarnation] = it->second.incarnation;
  }
  send(message);
}

void DaemonLink::bye() {
  ControlMessage message;
  message.command = dp::kBye;
  send(message);
}

void DaemonLink::pump(SteadyTime now) {
  read_monitor();
  while (true) {
    std::optional<ControlMessage> message;
    try {
      message = try_recv_control(socket_, false);
    } catch (const DecodeError& e) {
      log("flow", LogLevel::warn,
          "bad message from daemon " + address_ + ": " + std::string(e.what()));
      continue;
    }
    if (!message) break;
    last_heard_ = steady_now();
    heard_ = true;
    if (silent_) {
      // A daemon answers at the address again. What ran there before is asked about like any
      // dead pea's process (the supervisor kills it through this link and waits for the answer:
      // a new daemon says "not running", an old one behind a healed network kills it first).
      log("flow", LogLevel::info, "the daemon at " + address_ + " answers again");
      silent_ = false;
      lost_.reset();
    }
    handle(*message);
  }
  // Before the first answer, the pea's timeout_ready decides how long to wait (the daemon may be
  // far or slow to accept); after it, silence means the host is gone.
  if (!lost_ && heard_ && now - last_heard_ > dp::kDaemonSilence) {
    lost_ = "lost with its host: the daemon at " + address_ + " has been silent for " +
            format_duration(dp::kDaemonSilence);
    silent_ = true;
    next_ping_ = now;
  }
  // A ping is what a daemon that does not know this orchestrator (a new one) answers; the DEALER
  // reconnects by itself. One every kLinkPing: the daemon may come back at any time.
  if (silent_ && now >= next_ping_) {
    ControlMessage ping;
    ping.command = dp::kPing;
    send(ping);
    next_ping_ = now + dp::kLinkPing;
  }
}

void DaemonLink::handle(const ControlMessage& message) {
  const std::string pea = text_field(message, "pea");
  if (message.command == dp::kLog) {
    log_forwarded(pea, address_, text_field(message, "line"));
    return;
  }
  auto it = peas_.find(pea);
  if (it == peas_.end()) return;  // heartbeats, and news of peas of an earlier flow
  // News of an earlier incarnation of a restarted pea (a daemon of an older jflow echoes none).
  const std::int64_t incarnation = integer_field_or(message, dp::kIncarnation, 0);
  if (incarnation != 0 && incarnation != it->second.incarnation) return;
  if (it->second.ended) return;  // the first word on how it ended stands
  if (message.command == dp::kLaunched) {
    it->second.pid = static_cast<int>(integer_field_or(message, "pid", 0));
  } else if (message.command == dp::kLaunchFailed) {
    it->second.ended = PeaEnd::lost("could not be launched on " + address_ + ": " +
                                    text_field(message, "message"));
  } else if (message.command == dp::kExited) {
    it->second.ended = read_pea_end(message);
  }
}

// libzmq reports a refused CURVE handshake only through the socket monitor: status 400 from the
// daemon's ZAP handler means it does not list our key.
void DaemonLink::read_monitor() {
  while (auto event = next_monitor_event(monitor_)) {
    if (lost_) continue;
    if (event->event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
      lost_ = "refused by the daemon at " + address_ +
              ": it does not accept this orchestrator's key (status " +
              std::to_string(event->value) +
              "; add the key's .pub file to the daemon's --allow list)";
    } else {
      lost_ = "could not reach the daemon at " + address_ +
              ": the CURVE handshake failed (does curve: hosts: give this daemon's key, and "
              "does the daemon run with --key, or with --insecure for a flow without curve:?)";
    }
  }
}

std::optional<PeaEnd> DaemonLink::pea_ended(const std::string& pea) const {
  auto it = peas_.find(pea);
  if (it != peas_.end() && it->second.ended) return it->second.ended;
  if (lost_) return PeaEnd::lost(*lost_);
  return std::nullopt;
}

int DaemonLink::pea_pid(const std::string& pea) const {
  auto it = peas_.find(pea);
  return it == peas_.end() ? 0 : it->second.pid;
}

namespace {

class RemotePea final : public PeaHandle {
 public:
  RemotePea(std::shared_ptr<DaemonLink> link, std::string name)
      : link_(std::move(link)), name_(std::move(name)) {}
  std::optional<PeaEnd> ended() override { return link_->pea_ended(name_); }
  void kill() override { link_->kill(name_); }
  void reap() override {}  // the daemon reaps its children
  int pid() const override { return link_->pea_pid(name_); }
  std::string host() const override { return link_->address(); }
  const char* runtime() const override { return "process"; }

 private:
  std::shared_ptr<DaemonLink> link_;
  std::string name_;
};

}  // namespace

std::unique_ptr<PeaHandle> start_remote_pea(std::shared_ptr<DaemonLink> link, std::string name,
                                            const std::string& control_endpoint,
                                            const std::string& flow_id,
                                            const std::optional<CurveKeyPair>& session) {
  link->launch(name, control_endpoint, flow_id, session);
  return std::make_unique<RemotePea>(std::move(link), std::move(name));
}

}  // namespace jflow::detail
