// The jflow subcommands: each has an options struct, a setup_x() that declares its flags on the
// CLI11 app, and a run_x() that returns the exit code. main.cpp maps errors to exit codes.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "jflow/client.hpp"
#include "jflow/defaults.hpp"

#include "jflow/duration.hpp"
#include "jflow/flow_spec.hpp"

namespace jflow::cli {

// Exit codes, decided in one place.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRequestsFailed = 1;  // the flow ran, some requests ended in error
inline constexpr int kExitUsage = 2;           // bad command line or flow file
inline constexpr int kExitInterrupted = 130;   // SIGINT or SIGTERM (128 + SIGINT, as shells say)

// --log-level and --log-format (log_options.cpp); empty: the process's default (info, text).
struct LogOptions {
  std::string level;
  std::string format;
};
void add_log_options(CLI::App& command, LogOptions& options);
// Sets the process's log settings (jflow/log.hpp) from what was given.
void apply_log_options(const LogOptions& options);

struct RunOptions {
  std::string flow_file;
  std::string input_file;          // FILE, or "-" for standard input
  std::string input_format;        // --input's lines: "text" or "tsv" (empty: the phase's)
  std::vector<std::string> files;  // each file a document
  std::string npy;                 // each row a document
  std::string max_in_flight;       // empty: the flow's
  bool quiet = false;
  bool stats = false;   // print the most documents held and the peak RSS
  std::string timeout;  // per-request deadline, e.g. "5s"
  bool serve = false;   // serve the flow (serve_command.cpp) instead of sending an input
  std::string zmq = defaults::kServeZmqAddress;
  std::string http = defaults::kServeHttpAddress;
  std::string zmq_key;                 // a .secret file: CURVE on the ZeroMQ endpoint
  std::vector<std::string> zmq_allow;  // the clients' .pub files
  std::string metrics;                 // HOST:PORT of a GET /metrics endpoint (empty: none)
  LogOptions log;
};
void setup_run(CLI::App& app, RunOptions& options);
int run_run(const RunOptions& options);
// Serves `spec` until SIGINT/SIGTERM (docs/SERVING.md); timeout: default per-request deadline.
int run_serve(FlowSpec spec, const RunOptions& options, Duration timeout);

struct ClientCommandOptions {
  std::string address;
  std::string lines;               // FILE, or "-" for standard input
  std::vector<std::string> files;  // each file's bytes as a document
  std::string npy;                 // one document per row
  std::string type = "index";
  std::int64_t top_k = 0;
  std::size_t request_size = 1;
  std::size_t window = 64;
  std::string timeout = "10s";
  bool quiet = false;
  std::string key;         // CURVE: this client's .secret file
  std::string server_key;  // CURVE: the server's .pub file
};
void setup_client(CLI::App& app, ClientCommandOptions& options);
int run_client(const ClientCommandOptions& options);

struct PingOptions {
  std::string address;
  std::string timeout = "2s";
  bool daemon = false;     // ADDR is a `jflow daemon`, not a served flow
  std::string key;         // CURVE: this client's .secret file
  std::string server_key;  // CURVE: the server's .pub file
};
void setup_ping(CLI::App& app, PingOptions& options);
int run_ping(const PingOptions& options);
// Shared by ping and client (ping_command.cpp): "host:port" → "tcp://host:port"; a positive
// duration or UsageError.
std::string zmq_address(const std::string& address);
Duration parse_timeout_option(const std::string& text);
// A CURVE server's key pair (a .secret file; "" for none) and the public keys (.pub files) it
// admits, for `jflow daemon` and `jflow run --serve` (keygen_command.cpp). UsageError for a bad
// file.
std::pair<std::optional<CurveKeyPair>, std::set<std::string>> read_server_keys(
    const std::string& key_file, const std::vector<std::string>& allow_files);
// --key/--server-key (ping_command.cpp): both or neither; the client's CURVE settings.
void add_client_key_options(CLI::App& command, std::string& key, std::string& server_key);
void apply_client_keys(const std::string& key, const std::string& server_key,
                       ClientOptions& options);

struct PeaOptions {
  std::string control;
  std::string name;
  LogOptions log;  // the orchestrator's (or the daemon's, for an older orchestrator)
};
void setup_pea(CLI::App& app, PeaOptions& options);
int run_pea(const PeaOptions& options);

struct DaemonCommandOptions {
  std::string listen;
  std::string key;                 // a .secret file
  std::vector<std::string> allow;  // .pub (or .secret) files
  bool insecure = false;
  std::string orchestrator_timeout = "3s";
  LogOptions log;  // the daemon's own lines; its peas log as their orchestrator asks
};
void setup_daemon(CLI::App& app, DaemonCommandOptions& options);
int run_daemon(const DaemonCommandOptions& options);

struct CheckOptions {
  std::string flow_file;  // empty: list the drivers and uses aliases
};
void setup_check(CLI::App& app, CheckOptions& options);
int run_check(const CheckOptions& options);

struct ExportOptions {
  std::string flow_file;
  std::string format = "mermaid";  // mermaid, dot, svg or png
  std::string output;              // empty: standard output
  // Deployments (docs/KUBERNETES.md): each names where to write; empty: not asked for.
  std::string k8s_dir;
  std::string compose_file;
  std::string systemd_dir;
  std::string image;         // empty: deploy::kDefaultImage
  bool insecure = false;     // no CURVE between workloads
  std::string jflow_binary;  // --systemd: the binary units run; empty: this one
};
void setup_export(CLI::App& app, ExportOptions& options);
int run_export(const ExportOptions& options);

struct KeygenOptions {
  std::string name;
  std::string dir = ".";
  bool force = false;
};
void setup_keygen(CLI::App& app, KeygenOptions& options);
int run_keygen(const KeygenOptions& options);

struct NewOptions {
  std::string name;
  std::string dir = ".";
  bool force = false;
};
void setup_new(CLI::App& app, NewOptions& options);
int run_new(const NewOptions& options);

// `jflow --version` / `jflow version` (version_command.cpp).
std::string version_text();
void setup_version(CLI::App& app);
int run_version();

// Thrown for usage problems found after parsing (a missing input, a bad duration): exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace jflow::cli
