// The process's logger (jflow/log.hpp): its settings, each thread's source, and the one write(2)
// per line. Formatting is base/log_line.cpp's.
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "base/clock.hpp"
#include "base/log_line.hpp"
#include "base/log_output.hpp"
#include "jflow/log.hpp"

namespace jflow {
namespace {

// Atomics, not a lock: every log() reads them, and a setting changes once or twice per process.
std::atomic<int> g_level{static_cast<int>(LogLevel::info)};
std::atomic<int> g_format{static_cast<int>(LogFormat::text)};
std::atomic<int> g_fd{STDERR_FILENO};

thread_local std::string t_source;  // empty: "jflow"

constexpr std::string_view kDefaultSource = "jflow";

std::int64_t unix_now_ms() {
  return unix_now_ns() / 1'000'000;
}

LogFormat current_format() {
  return static_cast<LogFormat>(g_format.load(std::memory_order_relaxed));
}

// One write(2) per line: a line is never interleaved with another process's or thread's (short
// writes, rare on a pipe or terminal, are finished by more writes). Errors are ignored: a
// logger has nowhere to report that it cannot log.
void write_line(const std::string& line) {
  const int fd = g_fd.load(std::memory_order_relaxed);
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::error:
      return "error";
    case LogLevel::warn:
      return "warn";
    case LogLevel::info:
      return "info";
    case LogLevel::debug:
      return "debug";
  }
  return "info";
}

std::optional<LogLevel> parse_log_level(std::string_view text) {
  for (LogLevel level : {LogLevel::error, LogLevel::warn, LogLevel::info, LogLevel::debug}) {
    if (text == log_level_name(level)) return level;
  }
  return std::nullopt;
}

std::string_view log_format_name(LogFormat format) {
  return format == LogFormat::json ? "json" : "text";
}

std::optional<LogFormat> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::text;
  if (text == "json") return LogFormat::json;
  return std::nullopt;
}

void set_log_settings(LogSettings settings) {
  g_level.store(static_cast<int>(settings.level), std::memory_order_relaxed);
  g_format.store(static_cast<int>(settings.format), std::memory_order_relaxed);
}

LogSettings log_settings() {
  return {static_cast<LogLevel>(g_level.load(std::memory_order_relaxed)), current_format()};
}

bool log_enabled(LogLevel level) {
  return static_cast<int>(level) <= g_level.load(std::memory_order_relaxed);
}

void log(LogLevel level, std::string_view message, std::string_view traceparent) {
  log(t_source.empty() ? kDefaultSource : std::string_view(t_source), level, message, traceparent);
}

void log(std::string_view source, LogLevel level, std::string_view message,
         std::string_view traceparent) {
  if (!log_enabled(level)) return;
  write_line(
      format_log_line(current_format(), {unix_now_ms(), level, source, message, traceparent, {}}));
}

void log_forwarded(std::string_view pea, std::string_view host, std::string_view line) {
  write_line(forwarded_log_line(current_format(), unix_now_ms(), pea, host, line));
}

int set_log_output(int fd) {
  return g_fd.exchange(fd);
}

LogSource::LogSource(std::string name) : previous_(std::move(t_source)) {
  t_source = std::move(name);
}

LogSource::~LogSource() {
  t_source = std::move(previous_);
}

std::string log_source() {
  return t_source.empty() ? std::string(kDefaultSource) : t_source;
}

}  // namespace jflow
