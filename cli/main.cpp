// The jflow binary. Errors from every subcommand become a message and an exit code here.
#include <iostream>

#include "commands.hpp"
#include "jflow/codec.hpp"
#include "jflow/flow.hpp"
#include "jflow/log.hpp"
#include "jflow/spec_error.hpp"

int main(int argc, char** argv) {
  using namespace jflow::cli;
  CLI::App app{"jflow: data pipelines as a flow of pods over ZeroMQ"};
  app.require_subcommand(1);
  RunOptions run_options;
  PeaOptions pea_options;
  CheckOptions check_options;
  ExportOptions export_options;
  DaemonCommandOptions daemon_options;
  KeygenOptions keygen_options;
  ClientCommandOptions client_options;
  PingOptions ping_options;
  NewOptions new_options;
  setup_run(app, run_options);
  setup_pea(app, pea_options);
  setup_check(app, check_options);
  setup_export(app, export_options);
  setup_daemon(app, daemon_options);
  setup_keygen(app, keygen_options);
  setup_client(app, client_options);
  setup_ping(app, ping_options);
  setup_new(app, new_options);
  setup_version(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  // A command that runs a flow or peas reports how it failed in its log, in the format asked for
  // (a log collector sees why a served flow did not start); a command that answers a question
  // (check, export, ping, …) prints a plain message, `file:line:col: …` first for editors.
  const bool logs =
      app.got_subcommand("run") || app.got_subcommand("pea") || app.got_subcommand("daemon");
  const auto report = [logs](const std::string& message, const char* prefix) {
    if (logs) {
      jflow::log(jflow::LogLevel::error, message);
    } else {
      std::cerr << prefix << message << "\n";
    }
  };
  try {
    if (app.got_subcommand("run")) return run_run(run_options);
    if (app.got_subcommand("pea")) return run_pea(pea_options);
    if (app.got_subcommand("check")) return run_check(check_options);
    if (app.got_subcommand("export")) return run_export(export_options);
    if (app.got_subcommand("daemon")) return run_daemon(daemon_options);
    if (app.got_subcommand("keygen")) return run_keygen(keygen_options);
    if (app.got_subcommand("client")) return run_client(client_options);
    if (app.got_subcommand("ping")) return run_ping(ping_options);
    if (app.got_subcommand("new")) return run_new(new_options);
    if (app.got_subcommand("version")) return run_version();
  } catch (const jflow::SpecError& e) {
    report(e.what(), "");
    return kExitUsage;
  } catch (const UsageError& e) {
    report(e.what(), "jflow: ");
    return kExitUsage;
  } catch (const jflow::FlowError& e) {
    report(std::string("flow failed: ") + e.what(), "jflow: ");
    return kExitRequestsFailed;
  } catch (const std::exception& e) {
    report(e.what(), "jflow: ");
    return kExitRequestsFailed;
  }
  return kExitUsage;
}
