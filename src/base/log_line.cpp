// The text and JSON log lines, and what a forwarded line becomes. Pure string work: no clock, no
// output (base/log.cpp has those).
#include "base/log_line.hpp"

#include <ctime>

#include "base/utf8.hpp"

namespace jflow {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// The level as text lines print it: padded to the longest name, so messages line up.
std::string_view padded_level(LogLevel level) {
  switch (level) {
    case LogLevel::error:
      return "error";
    case LogLevel::warn:
      return "warn ";
    case LogLevel::info:
      return "info ";
    case LogLevel::debug:
      return "debug";
  }
  return "info ";
}

// Text keeps one line per record: control characters (line breaks first) become escapes.
void append_text_escaped(std::string& out, std::string_view text) {
  for (const char c : escape_invalid_utf8(text)) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHexDigits[byte >> 4];
      out += kHexDigits[byte & 0xF];
    } else {
      out += c;
    }
  }
}

void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  for (const char c : escape_invalid_utf8(text)) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (byte < 0x20) {
          out += "\\u00";
          out += kHexDigits[byte >> 4];
          out += kHexDigits[byte & 0xF];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

// The 32 hex digits of a traceparent of the W3C shape (00-TRACE-PARENT-FLAGS), else empty.
std::string_view trace_id_of(std::string_view traceparent) {
  if (traceparent.size() != 55 || traceparent[2] != '-' || traceparent[35] != '-' ||
      traceparent[52] != '-')
    return {};
  return traceparent.substr(3, 32);
}

bool is_ascii_digit(char c) {
  return c >= '0' && c <= '9';
}

// Whether `line` starts the way format_log_line's text lines do: a timestamp, a level.
bool is_text_log_line(std::string_view line) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.dddZ ";
  if (line.size() < kShape.size() + 5) return false;
  for (std::size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !is_ascii_digit(line[i]) : line[i] != kShape[i]) return false;
  }
  const std::string_view level = line.substr(kShape.size(), 5);
  return level == "error" || level == "warn " || level == "info " || level == "debug";
}

// Whether `line` is one of format_log_line's JSON lines: an object whose first field is "ts",
// valid UTF-8 without control characters (so that it is kept, it must be kept valid).
bool is_json_log_line(std::string_view line) {
  if (line.size() < 9 || line.substr(0, 7) != "{\"ts\":\"" || line.back() != '}') return false;
  for (const char c : line) {
    if (static_cast<unsigned char>(c) < 0x20) return false;
  }
  return escape_invalid_utf8(line) == line;
}

}  // namespace

std::string rfc3339_utc_ms(std::int64_t unix_ms) {
  std::int64_t seconds = unix_ms / 1000;
  std::int64_t millis = unix_ms % 1000;
  if (millis < 0) {  // before 1970: floor, not truncation
    millis += 1000;
    --seconds;
  }
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[40];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  std::string out(text, n);
  out += '.';
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
  return out;
}

std::string json_string(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  append_json_string(out, text);
  return out;
}

std::string format_log_line(LogFormat format, const LogRecord& record) {
  std::string out;
  out.reserve(64 + record.message.size() + record.traceparent.size());
  if (format == LogFormat::json) {
    out += "{\"ts\":\"";
    out += rfc3339_utc_ms(record.unix_ms);
    out += "\",\"level\":\"";
    out += log_level_name(record.level);
    out += "\",\"pea\":";
    append_json_string(out, record.source);
    out += ",\"msg\":";
    append_json_string(out, record.message);
    if (!record.traceparent.empty()) {
      out += ",\"traceparent\":";
      append_json_string(out, record.traceparent);
      if (const std::string_view id = trace_id_of(record.traceparent); !id.empty()) {
        out += ",\"trace_id\":\"";
        out += id;
        out += '"';
      }
    }
    if (!record.host.empty()) {
      out += ",\"host\":";
      append_json_string(out, record.host);
    }
    out += "}\n";
    return out;
  }
  out += rfc3339_utc_ms(record.unix_ms);
  out += ' ';
  out += padded_level(record.level);
  out += ' ';
  append_text_escaped(out, record.source);
  out += ": ";
  append_text_escaped(out, record.message);
  if (!record.traceparent.empty()) {
    out += " traceparent=";
    append_text_escaped(out, record.traceparent);
  }
  if (!record.host.empty()) {
    out += " host=";
    append_text_escaped(out, record.host);
  }
  out += '\n';
  return out;
}

std::string forwarded_log_line(LogFormat format, std::int64_t unix_ms, std::string_view pea,
                               std::string_view host, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (format == LogFormat::json && is_json_log_line(line)) {
    if (host.empty()) return std::string(line) + '\n';
    std::string out(line.substr(0, line.size() - 1));
    out += ",\"host\":";
    append_json_string(out, host);
    out += "}\n";
    return out;
  }
  if (format == LogFormat::text && is_text_log_line(line)) {
    std::string out;
    append_text_escaped(out, line);  // unchanged if it is truly one of ours
    if (!host.empty()) {
      out += " host=";
      append_text_escaped(out, host);
    }
    out += '\n';
    return out;
  }
  return format_log_line(format, {unix_ms, LogLevel::info, pea, line, {}, host});
}

}  // namespace jflow
