// Daemon: what `jflow daemon` runs on each host of a multi-host flow. It listens on one tcp
// address for orchestrators (jflow/daemon_protocol.hpp), starts `jflow pea` processes when one
// asks, forwards what they print, reports how they end, and kills them when the flow closes or
// its orchestrator's connection is gone. With a key it speaks CURVE only and lets in only the
// orchestrator keys it lists (jflow/zap_authenticator.hpp); without, it needs `insecure`.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "control/daemon_protocol.hpp"
#include "jflow/curve_keys.hpp"
#include "jflow/defaults.hpp"
#include "jflow/duration.hpp"
#include "jflow/log.hpp"

namespace jflow {

struct DaemonOptions {
  std::string listen =
      "tcp://127.0.0.1:" + std::to_string(defaults::kDaemonPort);  // ":*" or ":0": any port
  std::optional<CurveKeyPair> key;   // this daemon's key pair: CURVE server
  std::set<std::string> allowed;     // Z85 public keys of the orchestrators it accepts
  bool insecure = false;             // plain tcp, no key: must be asked for
  std::filesystem::path executable;  // the jflow binary its peas run; empty: find it
  // How long an orchestrator's connection may be gone (closed, or no answer to ZMTP pings for
  // kLinkTimeout) before its peas are killed.
  Duration orchestrator_timeout = daemon_protocol::kDaemonSilence;
  // What the daemon has to say, at a level: connections and launches are info, what it refused or
  // ignored a warning. Default: lines from `daemon` through the logger (jflow/log.hpp).
  std::function<void(LogLevel, const std::string&)> log;
};

class Daemon {
 public:
  // Binds; throws std::runtime_error for options that cannot work (no key and not insecure, a
  // key without any allowed orchestrator) and zmq::error_t when the address cannot be bound.
  explicit Daemon(DaemonOptions options);
  ~Daemon();  // kills every pea still running
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // The endpoint it listens on, with the real port.
  const std::string& endpoint() const;
  // Serves until `stop_fd` (a signalfd, an eventfd) becomes readable; -1: until killed.
  void run(int stop_fd = -1);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace jflow
