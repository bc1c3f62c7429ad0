// The jflow subcommands: each has an options struct, a setup_x() that declares its flags on the
// CLI11 app, and a run_x() that returns the exit code. main.cpp maps errors to exit codes.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace jflow::cli {

// Exit codes, decided in one place.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRequestsFailed = 1;  // the flow ran, some requests ended in error
inline constexpr int kExitUsage = 2;           // bad command line or flow file

struct RunOptions {
  std::string flow_file;
  std::string input_file;
  bool quiet = false;
  std::string timeout;  // per-request deadline, e.g. "5s"
};
void setup_run(CLI::App& app, RunOptions& options);
int run_run(const RunOptions& options);

struct PeaOptions {
  std::string control;
  std::string name;
};
void setup_pea(CLI::App& app, PeaOptions& options);
int run_pea(const PeaOptions& options);

struct DaemonCommandOptions {
  std::string listen;
  std::string key;                 // a .secret file
  std::vector<std::string> allow;  // .pub (or .secret) files
  bool insecure = false;
  std::string orchestrator_timeout = "3s";
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

// Thrown for usage problems found after parsing (a missing input, a bad duration): exit 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace jflow::cli
