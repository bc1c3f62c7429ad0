// --log-level and --log-format, for the subcommands that run a flow or peas (run, pea, daemon):
// checked while the command line is parsed (a bad value is a usage error, exit 2, naming it) and
// applied before the command does anything, so that even its first error is in the chosen format.
// Process peas and peas on daemon hosts are started with the same settings (pea_handle.cpp,
// daemon_link.cpp).
#include "commands.hpp"
#include "jflow/log.hpp"

namespace jflow::cli {

void add_log_options(CLI::App& command, LogOptions& options) {
  command
      .add_option("--log-level", options.level,
                  "Log lines at this level and above: error, warn, info, debug (default: info)")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            if (parse_log_level(text)) return "";
            return "expected error, warn, info or debug, got '" + text + "'";
          },
          ""))
      ->type_name("error|warn|info|debug")
      ->group("Logging");
  command
      .add_option("--log-format", options.format,
                  "Log lines as text (for people) or json (one object per line, for log "
                  "collectors; default: text)")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            if (parse_log_format(text)) return "";
            return "expected text or json, got '" + text + "'";
          },
          ""))
      ->type_name("text|json")
      ->group("Logging");
}

void apply_log_options(const LogOptions& options) {
  LogSettings settings = log_settings();
  if (!options.level.empty()) settings.level = *parse_log_level(options.level);
  if (!options.format.empty()) settings.format = *parse_log_format(options.format);
  set_log_settings(settings);
}

}  // namespace jflow::cli
