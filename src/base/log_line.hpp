// A log line as text or JSON: what jflow::log() writes (jflow/log.hpp), without the writing, so
// that the formats are tested byte for byte. Also what the orchestrator makes of a line that a pea
// on another host printed and its daemon forwarded.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "jflow/log.hpp"

namespace jflow {

struct LogRecord {
  std::int64_t unix_ms = 0;  // when, in milliseconds since the Unix epoch (UTC)
  LogLevel level = LogLevel::info;
  std::string_view source;  // who writes: a pea's name, "flow", "gateway", …
  std::string_view message;
  std::string_view traceparent;  // the request the line is about; empty: none
  std::string_view host;         // the daemon a forwarded line came through; empty: this host
};

// The line, ending in '\n':
//   text  TS LEVEL SOURCE: MESSAGE[ traceparent=TP][ host=HOST]   (LEVEL padded to 5)
//   json  {"ts":TS,"level":LEVEL,"pea":SOURCE,"msg":MESSAGE[,"traceparent":TP,"trace_id":ID]
//          [,"host":HOST]}
// In text, line breaks and other control characters are escaped (\n, \r, \t, \xNN), in JSON by
// its rules; bytes that are not UTF-8 become \xNN in both (base/utf8.hpp), so every line is valid
// UTF-8 and a JSON line parses. trace_id (the traceparent's 32 hex digits) only for a traceparent
// of the W3C shape.
std::string format_log_line(LogFormat format, const LogRecord& record);

// `unix_ms` as RFC 3339 in UTC with milliseconds: 2026-12-02T16:34:35.120Z.
std::string rfc3339_utc_ms(std::int64_t unix_ms);

// `text` as a JSON string, quotes included.
std::string json_string(std::string_view text);

// A line the pea `pea` on the daemon `host` printed (without its '\n'), as this process writes
// it. A line that already is one of jflow's log lines in `format` — a pea started by the daemon
// logs in the orchestrator's format — is kept as it is, with the host added (JSON: a "host" field
// before the closing brace; text: " host=HOST" at the end): not wrapped a second time. Anything
// else the pea printed (a plugin's printf, a crash message) is wrapped as an info line of `pea`
// stamped `unix_ms`. An empty `host` (a process pea of this machine) adds nothing to a kept line.
std::string forwarded_log_line(LogFormat format, std::int64_t unix_ms, std::string_view pea,
                               std::string_view host, std::string_view line);

}  // namespace jflow
