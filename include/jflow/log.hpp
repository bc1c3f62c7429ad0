// Logging: the one path every diagnostic of jflow takes — the orchestrator's, each pea's, the
// daemon's, and a driver's or executor's own. Each line carries a UTC timestamp (RFC 3339 with
// milliseconds), its level, who wrote it (the pea's name inside a pea; `flow`, `gateway`,
// `daemon`, `serve`, `jflow` in the orchestrator and the CLI) and, when the line is about one
// request, that request's traceparent. Two formats (docs/OPERATING.md, "Logging"):
//
//   text  2026-12-02T16:34:35.120Z info  logged: request 7 index traceparent=00-…-01
//   json  {"ts":"2026-12-02T16:34:35.120Z","level":"info","pea":"logged","msg":"request 7 index",
//          "traceparent":"00-…-01","trace_id":"…"}
//
// The settings are the process's (thread peas share it, and process peas are started with the
// orchestrator's: `jflow pea --log-level … --log-format …`). An application that embeds a flow
// sets them once with set_log_settings(), before it starts the flow:
//
//   jflow::set_log_settings({jflow::LogLevel::debug, jflow::LogFormat::json});
//   jflow::log(jflow::LogLevel::info, "loaded the model");  // from this thread's source
//
// Thread-safety: every function may be called from any thread. A line is written to stderr with
// one write(2), so lines of concurrent threads and processes sharing the stream never interleave
// (a pipe keeps writes of up to PIPE_BUF bytes, 4 KiB on Linux, whole).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace jflow {

// From the most to the least severe; a setting lets through its level and those above it.
enum class LogLevel { error, warn, info, debug };
enum class LogFormat { text, json };

struct LogSettings {
  LogLevel level = LogLevel::info;
  LogFormat format = LogFormat::text;
};

std::string_view log_level_name(LogLevel level);                 // "error", "warn", "info", "debug"
std::optional<LogLevel> parse_log_level(std::string_view text);  // exactly one of those names
std::string_view log_format_name(LogFormat format);              // "text", "json"
std::optional<LogFormat> parse_log_format(std::string_view text);

// The process's settings; until set: info, text.
void set_log_settings(LogSettings settings);
LogSettings log_settings();
// Whether a line at `level` would be written: check it before building an expensive message.
bool log_enabled(LogLevel level);

// Writes one line at `level`, from this thread's source (see LogSource), about the request
// `traceparent` when one is given. A message with line breaks or bytes that are not UTF-8 is
// escaped, so that it stays one line.
void log(LogLevel level, std::string_view message, std::string_view traceparent = {});
// The same from a named source: the orchestrator's parts name themselves ("flow", "gateway").
void log(std::string_view source, LogLevel level, std::string_view message,
         std::string_view traceparent = {});

// Names this thread's source for as long as it lives (a pea names its loop's thread after
// itself), then restores the previous one. A thread without one logs as "jflow".
class LogSource {
 public:
  explicit LogSource(std::string name);
  ~LogSource();
  LogSource(const LogSource&) = delete;
  LogSource& operator=(const LogSource&) = delete;

 private:
  std::string previous_;
};

// This thread's source name.
std::string log_source();

}  // namespace jflow
