#include "hosts/daemon.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <vector>

#include <zmq_addon.hpp>

#include "base/clock.hpp"
#include "base/line_splitter.hpp"
#include "control/control_channel.hpp"
#include "control/pea_end.hpp"
#include "jflow/log.hpp"
#include "net/curve_link.hpp"
#include "net/endpoint.hpp"
#include "net/socket_monitor.hpp"
#include "net/zap_authenticator.hpp"
#include "pea/pea_handle.hpp"

namespace jflow {
namespace dp = daemon_protocol;
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(100);

// "tcp://host:0" means any port, as "tcp://host:*" does for libzmq.
std::string bindable(std::string endpoint) {
  if (endpoint.size() > 2 && endpoint.compare(endpoint.size() - 2, 2, ":0") == 0) {
    endpoint.replace(endpoint.size() - 1, 1, "*");
  }
  return endpoint;
}

}  // namespace

class Daemon::Impl {
  // One pea this daemon started, and the pipe its stdout and stderr go to.
  struct Child {
    std::unique_ptr<PeaHandle> handle;
    std::int64_t incarnation = 0;  // the orchestrator's count of launches of this name, echoed
    int output = -1;               // read end, non-blocking
    LineSplitter lines;            // a line without newlines goes on in pieces of 64 KiB
  };

  // The peas of one orchestrator (one connection, known by its routing id).
  struct Session {
    std::map<std::string, Child> peas;
    std::optional<SteadyTime> unreachable_since;  // its connection is gone (set by heartbeat sends)
    bool gone = false;  // bye, or gone too long: its peas are being killed
  };

 public:
  explicit Impl(DaemonOptions options)
      : options_(std::move(options)),
        router_(context_, zmq::socket_type::router),
        monitor_(context_, zmq::socket_type::pair) {
    if (!options_.log) {
      options_.log = [](LogLevel level, const std::string& line) { log("daemon", level, line); };
    }
    if (!options_.key && !options_.insecure) {
      throw std::runtime_error(
          "a daemon needs --key FILE.secret (CURVE) or, on a trusted network, --insecure");
    }
    if (options_.key && options_.allowed.empty()) {
      throw std::runtime_error(
          "with --key, give --allow FILE.pub for each orchestrator that may use this daemon");
    }
    if (options_.executable.empty()) options_.executable = find_jflow_executable();
    router_.set(zmq::sockopt::linger, 0);
    router_.set(zmq::sockopt::router_handover, true);   // a reconnecting orchestrator keeps its id
    router_.set(zmq::sockopt::router_mandatory, true);  // a send to a gone orchestrator says so
    set_link_heartbeats(router_);
    if (options_.key) {
      zap_.emplace(context_, options_.allowed, [log = options_.log](const std::string& refusal) {
        log(LogLevel::warn, refusal);
      });
      make_curve_server(router_, *options_.key);
    }
    detail::monitor_socket(
        router_, monitor_, "jflow-daemon-monitor",
        ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    router_.bind(bindable(options_.listen));
    endpoint_ = router_.get(zmq::sockopt::last_endpoint);
  }

  ~Impl() {
    for (auto& [id, session] : sessions_) kill_all(session);
    for (auto& [id, session] : sessions_) {
      for (auto& [name, child] : session.peas) {
        child.handle->reap();
        if (child.output >= 0) ::close(child.output);
      }
    }
    zmq_socket_monitor(router_.handle(), nullptr, 0);
  }

  const std::string& endpoint() const { return endpoint_; }

  void run(int stop_fd) {
    while (true) {
      std::vector<zmq::pollitem_t> items = {{router_.handle(), 0, ZMQ_POLLIN, 0},
                                            {monitor_.handle(), 0, ZMQ_POLLIN, 0}};
      if (zap_) items.push_back({zap_->socket().handle(), 0, ZMQ_POLLIN, 0});
      if (stop_fd >= 0) items.push_back({nullptr, stop_fd, ZMQ_POLLIN, 0});
      for (auto& [id, session] : sessions_) {
        for (auto& [name, child] : session.peas) {
          if (child.output >= 0) items.push_back({nullptr, child.output, ZMQ_POLLIN, 0});
        }
      }
      zmq::poll(items.data(), items.size(), kPollInterval);
      if (stop_fd >= 0 && (items[zap_ ? 3 : 2].revents & ZMQ_POLLIN)) return;
      if (zap_) zap_->handle();
      read_monitor();
      read_orchestrators();
      tend_sessions();
    }
  }

 private:
  void read_orchestrators() {
    while (true) {
      std::optional<ControlMessage> message;
      try {
        message = try_recv_control(router_, true);
      } catch (const DecodeError& e) {
        options_.log(LogLevel::warn, std::string("ignored a malformed message: ") + e.what());
        continue;
      }
      if (!message) return;
      const std::string orchestrator = message->pea;  // the routing id
      if (message->command == dp::kPing) {  // `jflow ping --daemon`: no session, just counts
        std::int64_t peas = 0;
        for (const auto& [id, session] : sessions_) peas += std::ssize(session.peas);
        reply(orchestrator, dp::kPong, "",
              {{"orchestrators", static_cast<std::int64_t>(sessions_.size())}, {"peas", peas}});
        continue;
      }
      auto [it, fresh] = sessions_.try_emplace(orchestrator);
      Session& session = it->second;
      if (session.gone) {
        // Back after it counted as gone (a network that healed): its peas here were killed, and it
        // launches them again; it is served, and heartbeated, like a new one.
        session.gone = false;
        session.unreachable_since.reset();
        options_.log(LogLevel::info, "orchestrator " + printable(orchestrator) + " is back");
      }
      if (fresh)
        options_.log(LogLevel::info, "orchestrator " + printable(orchestrator) + " connected");
      handle(orchestrator, session, *message);
    }
  }

  void handle(const std::string& orchestrator, Session& session, const ControlMessage& message) {
    const std::string pea = text_field(message, "pea");
    if (message.command == dp::kLaunch) {
      launch(orchestrator, session, pea, message);
    } else if (message.command == dp::kKill) {
      auto child = session.peas.find(pea);
      if (child != session.peas.end()) {
        child->second.handle->kill();
      } else if (!pea.empty()) {
        // Not ours (any more): it ended and was reported, or this daemon was restarted and never
        // had it. Said so, so that an orchestrator waiting for its end does not wait for ever.
        reply(orchestrator, dp::kExited, pea,
              with_incarnation(
                  pea_end_fields(PeaEnd::lost("not running on the daemon at " + endpoint_ +
                                              " (it ended, or the daemon restarted)")),
                  integer_field_or(message, dp::kIncarnation, 0)));
      }
    } else if (message.command == dp::kBye) {
      session.gone = true;
      kill_all(session);
    } else {
      options_.log(LogLevel::warn, "ignored an unknown command '" + message.command + "'");
    }
  }

  // The fields of a reply about one incarnation of a pea: it carries the launch's incarnation back
  // (none when the launch gave none), so that news of an older one is told apart.
  static std::vector<std::pair<std::string, Value>> with_incarnation(
      std::vector<std::pair<std::string, Value>> fields, std::int64_t incarnation) {
    if (incarnation != 0) fields.emplace_back(dp::kIncarnation, incarnation);
    return fields;
  }

  void launch(const std::string& orchestrator, Session& session, const std::string& pea,
              const ControlMessage& message) {
    const std::int64_t incarnation = integer_field_or(message, dp::kIncarnation, 0);
    if (pea.empty() || session.peas.count(pea) != 0) {
      reply(orchestrator, dp::kLaunchFailed, pea,
            with_incarnation(
                {{"message", pea.empty() ? "no pea name" : "a pea of that name runs already"}},
                incarnation));
      return;
    }
    const std::string control = text_field(message, "control");
    std::vector<std::string> env;
    if (const std::string session_keys = text_field(message, "curve_session");
        !session_keys.empty()) {
      env.push_back(std::string(kCurveSessionEnv) + "=" + session_keys);
    }
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
      reply(orchestrator, dp::kLaunchFailed, pea,
            with_incarnation({{"message", std::string("pipe: ") + std::strerror(errno)}},
                             incarnation));
      return;
    }
    ::fcntl(pipe_fds[0], F_SETFL, O_NONBLOCK);
    try {
      Child child;
      child.handle = start_process_pea(options_.executable, control, pea, env, pipe_fds[1],
                                       pea_log_settings(message));
      child.output = pipe_fds[0];
      child.incarnation = incarnation;
      ::close(pipe_fds[1]);
      const int pid = child.handle->pid();
      session.peas.emplace(pea, std::move(child));
      options_.log(LogLevel::info, "started pea '" + pea + "' (pid " + std::to_string(pid) +
                                       ") for " + printable(orchestrator));
      reply(orchestrator, dp::kLaunched, pea,
            with_incarnation({{"pid", static_cast<std::int64_t>(pid)}}, incarnation));
    } catch (const std::exception& e) {
      ::close(pipe_fds[0]);
      ::close(pipe_fds[1]);
      reply(orchestrator, dp::kLaunchFailed, pea,
            with_incarnation({{"message", e.what()}}, incarnation));
    }
  }

  // Heartbeats every orchestrator, forwards output, reports peas that ended, and stops the peas
  // of orchestrators whose connection has been gone too long.
  void tend_sessions() {
    const SteadyTime now = steady_now();
    const bool heartbeat = now >= next_heartbeat_;
    if (heartbeat) next_heartbeat_ = now + dp::kDaemonHeartbeat;
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      const std::string& orchestrator = it->first;
      Session& session = it->second;
      if (heartbeat && !session.gone) {
        if (reply(orchestrator, dp::kHeartbeat, "", {})) {
          session.unreachable_since.reset();
        } else if (!session.unreachable_since) {
          session.unreachable_since = now;
        }
      }
      if (!session.gone && session.unreachable_since &&
          now - *session.unreachable_since >= options_.orchestrator_timeout) {
        options_.log(LogLevel::warn, "orchestrator " + printable(orchestrator) + " gone for " +
                                         format_duration(options_.orchestrator_timeout) +
                                         ": stopping its " + std::to_string(session.peas.size()) +
                                         " peas");
        session.gone = true;
        kill_all(session);
      }
      for (auto pea = session.peas.begin(); pea != session.peas.end();) {
        Child& child = pea->second;
        forward_output(orchestrator, pea->first, child, false);
        if (auto how = child.handle->ended()) {
          forward_output(orchestrator, pea->first, child, true);
          if (child.output >= 0) ::close(child.output);
          reply(orchestrator, dp::kExited, pea->first,
                with_incarnation(pea_end_fields(*how), child.incarnation));
          pea = session.peas.erase(pea);
        } else {
          ++pea;
        }
      }
      if (session.gone && session.peas.empty()) {
        it = sessions_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void forward_output(const std::string& orchestrator, const std::string& pea, Child& child,
                      bool final) {
    if (child.output < 0) return;
    const auto send = [&](std::string_view line) {
      reply(orchestrator, dp::kLog, pea, {{"line", std::string(line)}});
    };
    char buffer[4096];
    ssize_t got = 0;
    while ((got = ::read(child.output, buffer, sizeof buffer)) > 0) {
      child.lines.feed(std::string_view(buffer, static_cast<std::size_t>(got)), send);
    }
    if (final) child.lines.finish(send);
  }

  // The orchestrator's log settings, which its peas log with (their lines reach it); this
  // daemon's own for what an orchestrator does not say (an older one).
  static LogSettings pea_log_settings(const ControlMessage& message) {
    LogSettings settings = log_settings();
    if (auto level = parse_log_level(text_field(message, "log_level"))) settings.level = *level;
    if (auto format = parse_log_format(text_field(message, "log_format")))
      settings.format = *format;
    return settings;
  }

  void kill_all(Session& session) {
    for (auto& [name, child] : session.peas) child.handle->kill();
  }

  // Sends to one orchestrator; false when its connection is gone. A full queue (an orchestrator
  // that has not read for a long while) drops the message but is no sign that it is gone.
  bool reply(const std::string& orchestrator, const char* command, const std::string& pea,
             const std::vector<std::pair<std::string, Value>>& fields) {
    ControlMessage message;
    message.command = command;
    if (!pea.empty()) message.fields["pea"] = pea;
    for (const auto& [key, value] : fields) message.fields[key] = value;
    const std::string bytes = encode_control(message);
    try {
      if (!router_.send(zmq::buffer(orchestrator),
                        zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
        return true;  // EAGAIN: its queue is full
      }
      router_.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
      return true;
    } catch (const zmq::error_t& e) {
      if (e.num() == EHOSTUNREACH) return false;
      throw;
    }
  }

  void read_monitor() {
    while (detail::next_monitor_event(monitor_)) {
      options_.log(LogLevel::warn,
                   std::string("refused a connection on ") + endpoint_ + ": " +
                       (options_.key ? "the CURVE handshake failed (a client without CURVE, or one "
                                       "that does not have this daemon's public key)"
                                     : "the handshake failed (a CURVE client at an --insecure "
                                       "daemon?)"));
    }
  }

  static std::string printable(const std::string& routing_id) {
    std::string text;
    for (unsigned char c : routing_id) {
      if (c >= 0x20 && c < 0x7f) {
        text += static_cast<char>(c);
      } else {
        static const char* digits = "0123456789abcdef";
        text += digits[c >> 4];
        text += digits[c & 15];
      }
    }
    return text;
  }

  DaemonOptions options_;
  zmq::context_t context_;
  std::optional<ZapAuthenticator> zap_;  // before router_: bound before it accepts anyone
  zmq::socket_t router_;
  zmq::socket_t monitor_;
  std::string endpoint_;
  std::map<std::string, Session> sessions_;
  SteadyTime next_heartbeat_{};
};

Daemon::Daemon(DaemonOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Daemon::~Daemon() = default;
const std::string& Daemon::endpoint() const {
  return impl_->endpoint();
}
void Daemon::run(int stop_fd) {
  impl_->run(stop_fd);
}

}  // namespace jflow
