// `jflow ping ADDR`: asks a served flow how it is (a control request the server answers itself)
// and prints the answer with the round trip; exit 1 when nothing answers within --timeout or the
// flow cannot serve (a pod lacks peas it needs).
#include <cstdio>

#include "base/clock.hpp"
#include "commands.hpp"
#include "control/control_channel.hpp"
#include "control/daemon_protocol.hpp"
#include "jflow/client.hpp"
#include "net/curve_link.hpp"

namespace jflow::cli {

// "host:port" means tcp://host:port; anything with "://" is a ZeroMQ endpoint as given.
std::string zmq_address(const std::string& address) {
  if (address.find("://") != std::string::npos) return address;
  return "tcp://" + address;
}

Duration parse_timeout_option(const std::string& text) {
  auto parsed = parse_duration(text);
  if (!parsed || *parsed <= Duration::zero())
    throw UsageError("--timeout: expected a duration like 2s or 500ms, got '" + text + "'");
  return *parsed;
}

void add_client_key_options(CLI::App& command, std::string& key, std::string& server_key) {
  command.add_option("--key", key,
                     "CURVE: this client's key pair (.secret), for a server with --zmq-key");
  command.add_option("--server-key", server_key, "CURVE: the server's public key (.pub)");
}

void apply_client_keys(const std::string& key, const std::string& server_key,
                       ClientOptions& options) {
  if (key.empty() != server_key.empty()) {
    throw UsageError("--key and --server-key go together (CURVE needs both)");
  }
  if (key.empty()) return;
  try {
    options.curve_key = read_curve_secret(key);
    options.server_key = read_curve_public(server_key);
  } catch (const KeyFileError& e) {
    throw UsageError(e.what());
  }
}

void setup_ping(CLI::App& app, PingOptions& options) {
  CLI::App* ping = app.add_subcommand("ping", "Ask a served flow whether it is up");
  ping->add_option("address", options.address, "The flow's ZeroMQ endpoint, e.g. 127.0.0.1:45678")
      ->required();
  ping->add_option("--timeout", options.timeout, "How long to wait for the answer")
      ->capture_default_str();
  add_client_key_options(*ping, options.key, options.server_key);
  ping->add_flag("--daemon", options.daemon,
                 "ADDR is a `jflow daemon` (for a CURVE daemon, --key is an orchestrator key it "
                 "allows and --server-key its .pub)");
  ping->footer(
      "Exit codes: 0 the flow answered and can serve; 1 nothing answered in time, it refused,\n"
      "or it cannot serve (a pod is restarting or failed a pea: the reason is printed);\n"
      "2 bad command line.");
}

namespace {

// A daemon speaks the daemon protocol (jflow/daemon_protocol.hpp), not the served flow's.
int ping_daemon(const std::string& address, const ClientOptions& keys, Duration timeout) {
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  if (keys.curve_key) make_curve_client(socket, *keys.curve_key, keys.server_key);
  socket.connect(address);
  ControlMessage ping;
  ping.command = daemon_protocol::kPing;
  const SteadyTime start = steady_now();
  send_control(socket, ping);
  zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
  while (steady_now() - start < timeout) {
    zmq::poll(&item, 1, std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
    auto pong = try_recv_control(socket, false);
    if (!pong || pong->command != daemon_protocol::kPong) continue;
    std::printf("%s: daemon ok (%lld orchestrators, %lld peas) in %.2f ms\n", address.c_str(),
                static_cast<long long>(integer_field_or(*pong, "orchestrators", 0)),
                static_cast<long long>(integer_field_or(*pong, "peas", 0)),
                std::chrono::duration<double, std::milli>(steady_now() - start).count());
    return kExitOk;
  }
  std::fprintf(stderr, "%s: no reply from a daemon within %s\n", address.c_str(),
               format_duration(timeout).c_str());
  return kExitRequestsFailed;
}

}  // namespace

int run_ping(const PingOptions& options) {
  const Duration timeout = parse_timeout_option(options.timeout);
  const std::string address = zmq_address(options.address);
  if (options.daemon) {
    ClientOptions keys;
    apply_client_keys(options.key, options.server_key, keys);
    return ping_daemon(address, keys, timeout);
  }
  ClientOptions client_options;
  apply_client_keys(options.key, options.server_key, client_options);
  Client client(address, client_options);
  const PingResult result = client.ping(timeout);
  if (!result.ok) {
    std::fprintf(stderr, "%s: %s\n", address.c_str(), result.error.c_str());
    return kExitRequestsFailed;
  }
  std::printf(
      "%s: %s (%s, %lld pods, %lld/%lld peas alive, %lld in flight, %lld served) in %.2f ms\n",
      address.c_str(), result.ready ? "ok" : "NOT READY", result.state.c_str(),
      static_cast<long long>(result.pods), static_cast<long long>(result.peas_alive),
      static_cast<long long>(result.peas), static_cast<long long>(result.in_flight),
      static_cast<long long>(result.served),
      std::chrono::duration<double, std::milli>(result.latency).count());
  if (!result.ready) {
    std::fprintf(stderr, "%s: not ready: %s\n", address.c_str(), result.not_ready.c_str());
    return kExitRequestsFailed;
  }
  return kExitOk;
}

}  // namespace jflow::cli
