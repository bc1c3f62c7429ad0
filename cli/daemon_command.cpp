// `jflow daemon`: run on each host of a multi-host flow; starts peas when an orchestrator asks
// (see jflow/daemon.hpp and docs/HOSTS.md). Stops on SIGINT or SIGTERM, killing its peas.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <iostream>

#include <zmq.hpp>

#include <tuple>

#include "commands.hpp"
#include "hosts/daemon.hpp"
#include "jflow/defaults.hpp"
#include "jflow/flow_spec.hpp"
#include "jflow/log.hpp"

namespace jflow::cli {

void setup_daemon(CLI::App& app, DaemonCommandOptions& options) {
  CLI::App* daemon = app.add_subcommand(
      "daemon", "Start peas on this host for orchestrators elsewhere (pods with host:)");
  options.listen = "tcp://127.0.0.1:" + std::to_string(defaults::kDaemonPort);
  daemon
      ->add_option("--listen", options.listen,
                   "tcp://ADDR:PORT to listen on (PORT 0: any; loopback unless you say)")
      ->capture_default_str();
  daemon->add_option("--key", options.key,
                     "This daemon's key pair (a `jflow keygen` .secret file): CURVE only");
  daemon->add_option("--allow", options.allow,
                     "Public key files (.pub) of the orchestrators it accepts");
  daemon->add_flag("--insecure", options.insecure,
                   "Plain tcp, no keys: anyone who reaches the port can start peas");
  daemon
      ->add_option("--orchestrator-timeout", options.orchestrator_timeout,
                   "Stop an orchestrator's peas once its connection has been gone this long")
      ->capture_default_str();
  add_log_options(*daemon, options.log);
}

int run_daemon(const DaemonCommandOptions& options) {
  apply_log_options(options.log);
  DaemonOptions daemon_options;
  daemon_options.listen = options.listen;
  daemon_options.insecure = options.insecure;
  const std::optional<Duration> timeout = parse_duration(options.orchestrator_timeout);
  if (!timeout || *timeout <= Duration::zero()) {
    throw UsageError("--orchestrator-timeout: expected a duration like 3s or 500ms, got '" +
                     options.orchestrator_timeout + "'");
  }
  daemon_options.orchestrator_timeout = *timeout;
  if (options.insecure && !options.key.empty()) {
    throw UsageError("--insecure and --key contradict each other: pick one");
  }
  std::tie(daemon_options.key, daemon_options.allowed) =
      read_server_keys(options.key, options.allow);
  // SIGINT and SIGTERM arrive on a signalfd the daemon's loop polls, so stopping is an ordinary
  // event, not an interruption.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigprocmask(SIG_BLOCK, &signals, nullptr);
  const int stop_fd = signalfd(-1, &signals, SFD_CLOEXEC);
  std::unique_ptr<Daemon> daemon;
  try {
    daemon = std::make_unique<Daemon>(daemon_options);
  } catch (const zmq::error_t& e) {
    throw UsageError("--listen " + options.listen + ": " + e.what());
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  std::cout << "listening " << daemon->endpoint()
            << (daemon_options.key ? " (curve)" : " (insecure)") << std::endl;
  daemon->run(stop_fd);
  log("daemon", LogLevel::info, "stopping");
  daemon.reset();
  ::close(stop_fd);
  return kExitOk;
}

}  // namespace jflow::cli
