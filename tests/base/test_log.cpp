// The log line formats byte for byte (text and JSON), their escaping, forwarded lines, and the
// logger itself: levels filter, a thread's source names its lines, concurrent lines stay whole.
#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/log_line.hpp"
#include "jflow/log.hpp"
#include "support/captured_log.hpp"

using namespace jflow;
using nlohmann::json;
using test::CapturedLog;

namespace {

constexpr std::int64_t kWhen = 1796229275120;  // 2026-12-02T16:34:35.120Z
constexpr const char* kTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

}  // namespace

TEST_CASE("log lines: text and JSON, byte for byte", "[base][log]") {
  const LogRecord record{kWhen, LogLevel::info, "logged", "request 7 index", kTrace, {}};
  CHECK(format_log_line(LogFormat::text, record) ==
        "2026-12-02T16:34:35.120Z info  logged: request 7 index traceparent=" +
            std::string(kTrace) + "\n");
  CHECK(format_log_line(LogFormat::json, record) ==
        "{\"ts\":\"2026-12-02T16:34:35.120Z\",\"level\":\"info\",\"pea\":\"logged\","
        "\"msg\":\"request 7 index\",\"traceparent\":\"" +
            std::string(kTrace) + "\",\"trace_id\":\"0af7651916cd43dd8448eb211c80319c\"}\n");
  const LogRecord plain{kWhen, LogLevel::warn, "gateway", "reply ignored", {}, {}};
  CHECK(format_log_line(LogFormat::text, plain) ==
        "2026-12-02T16:34:35.120Z warn  gateway: reply ignored\n");
  CHECK(format_log_line(LogFormat::json, plain) ==
        "{\"ts\":\"2026-12-02T16:34:35.120Z\",\"level\":\"warn\",\"pea\":\"gateway\","
        "\"msg\":\"reply ignored\"}\n");
  // A traceparent of another shape is printed, but has no trace id to give.
  const json odd = json::parse(format_log_line(
      LogFormat::json, {kWhen, LogLevel::error, "flow", "x", "not-a-traceparent", {}}));
  CHECK(odd["traceparent"] == "not-a-traceparent");
  CHECK_FALSE(odd.contains("trace_id"));
}

TEST_CASE("log timestamps: RFC 3339 in UTC with milliseconds", "[base][log]") {
  CHECK(rfc3339_utc_ms(0) == "1970-01-01T00:00:00.000Z");
  CHECK(rfc3339_utc_ms(999) == "1970-01-01T00:00:00.999Z");
  CHECK(rfc3339_utc_ms(kWhen) == "2026-12-02T16:34:35.120Z");
  CHECK(rfc3339_utc_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(rfc3339_utc_ms(951782400005) == "2000-02-29T00:00:00.005Z");
}

TEST_CASE("JSON log lines escape quotes, line breaks, control bytes and what is not UTF-8",
          "[base][log]") {
  const std::string message = "say \"hi\" \\ back\nnext\tline\r\x01\x1f \xff\xfe caf\xc3\xa9";
  const std::string line =
      format_log_line(LogFormat::json, {kWhen, LogLevel::error, "pea \"q\"", message, {}, {}});
  REQUIRE(line.back() == '\n');
  CHECK(line.find('\n') == line.size() - 1);  // one line
  const json parsed = json::parse(line);      // throws on anything invalid, UTF-8 included
  CHECK(parsed["msg"] ==
        "say \"hi\" \\ back\nnext\tline\r\x01\x1f \\xff\\xfe caf\xc3\xa9");  // é kept
  CHECK(parsed["pea"] == "pea \"q\"");
  CHECK(parsed["level"] == "error");
  CHECK(json_string("a\"b") == "\"a\\\"b\"");
  CHECK(json_string("\x7f") == "\"\x7f\"");  // DEL needs no escape in JSON
}

TEST_CASE("text log lines keep one line: breaks and control bytes escaped", "[base][log]") {
  const std::string line = format_log_line(
      LogFormat::text, {kWhen, LogLevel::debug, "a", "one\ntwo\r\tthree\x02 \xff", {}, "h:1"});
  CHECK(line == "2026-12-02T16:34:35.120Z debug a: one\\ntwo\\r\\tthree\\x02 \\xff host=h:1\n");
}

TEST_CASE("log levels and formats by name", "[base][log]") {
  for (LogLevel level : {LogLevel::error, LogLevel::warn, LogLevel::info, LogLevel::debug})
    CHECK(parse_log_level(log_level_name(level)) == level);
  CHECK_FALSE(parse_log_level("INFO"));
  CHECK_FALSE(parse_log_level("warning"));
  CHECK_FALSE(parse_log_level(""));
  CHECK(parse_log_format("json") == LogFormat::json);
  CHECK(parse_log_format("text") == LogFormat::text);
  CHECK_FALSE(parse_log_format("xml"));
}

TEST_CASE("a forwarded line of jflow's is kept with its host, anything else is wrapped",
          "[base][log]") {
  const std::string pea_json =
      format_log_line(LogFormat::json, {kWhen, LogLevel::debug, "there", "wired", kTrace, {}});
  const std::string kept = forwarded_log_line(LogFormat::json, kWhen + 5, "there", "10.0.0.2:5555",
                                              pea_json.substr(0, pea_json.size() - 1));
  const json k = json::parse(kept);
  CHECK(k["msg"] == "wired");  // not wrapped a second time
  CHECK(k["level"] == "debug");
  CHECK(k["ts"] == "2026-12-02T16:34:35.120Z");  // the pea's own time
  CHECK(k["host"] == "10.0.0.2:5555");
  CHECK(k["trace_id"] == "0af7651916cd43dd8448eb211c80319c");

  const json raw = json::parse(forwarded_log_line(LogFormat::json, kWhen, "there", "10.0.0.2:5555",
                                                  "terminate called after \"x\"\r"));
  CHECK(raw["msg"] == "terminate called after \"x\"");
  CHECK(raw["pea"] == "there");
  CHECK(raw["level"] == "info");
  CHECK(raw["host"] == "10.0.0.2:5555");
  // Looks like ours but is not valid to keep: wrapped.
  const json broken =
      json::parse(forwarded_log_line(LogFormat::json, kWhen, "p", "h", "{\"ts\":\"\xff\"}"));
  CHECK(broken["msg"] == "{\"ts\":\"\\xff\"}");

  const std::string pea_text =
      format_log_line(LogFormat::text, {kWhen, LogLevel::warn, "there", "slow", {}, {}});
  CHECK(forwarded_log_line(LogFormat::text, kWhen, "there", "h:1",
                           pea_text.substr(0, pea_text.size() - 1)) ==
        "2026-12-02T16:34:35.120Z warn  there: slow host=h:1\n");
  CHECK(forwarded_log_line(LogFormat::text, kWhen, "there", "h:1", "printed by a plugin") ==
        "2026-12-02T16:34:35.120Z info  there: printed by a plugin host=h:1\n");
}

TEST_CASE("a line of a pea on this machine is kept byte for byte, anything else is wrapped",
          "[base][log]") {
  // An empty host: a process pea of this orchestrator (flow/pea_output_relay.hpp).
  const std::string pea_json =
      format_log_line(LogFormat::json, {kWhen, LogLevel::debug, "here", "wired", kTrace, {}});
  CHECK(forwarded_log_line(LogFormat::json, kWhen + 5, "here", "",
                           pea_json.substr(0, pea_json.size() - 1)) == pea_json);
  const std::string pea_text =
      format_log_line(LogFormat::text, {kWhen, LogLevel::warn, "here", "slow", {}, {}});
  CHECK(forwarded_log_line(LogFormat::text, kWhen + 5, "here", "",
                           pea_text.substr(0, pea_text.size() - 1)) == pea_text);
  CHECK(forwarded_log_line(LogFormat::text, kWhen, "here", "", "printed by a plugin") ==
        "2026-12-02T16:34:35.120Z info  here: printed by a plugin\n");
  const json raw =
      json::parse(forwarded_log_line(LogFormat::json, kWhen, "here", "", "printf \"x\""));
  CHECK(raw["msg"] == "printf \"x\"");
  CHECK(raw["pea"] == "here");
  CHECK_FALSE(raw.contains("host"));
}

TEST_CASE("the logger filters by level and names each thread's source", "[base][log]") {
  CapturedLog captured("log-levels", {LogLevel::warn, LogFormat::text});
  CHECK(log_enabled(LogLevel::error));
  CHECK(log_enabled(LogLevel::warn));
  CHECK_FALSE(log_enabled(LogLevel::info));
  log(LogLevel::debug, "not written");
  log(LogLevel::info, "not written either");
  log(LogLevel::warn, "written");
  {
    const LogSource source("pea-a");
    CHECK(log_source() == "pea-a");
    log(LogLevel::error, "from a pea", kTrace);
  }
  CHECK(log_source() == "jflow");
  log("gateway", LogLevel::error, "named");
  const std::vector<std::string> lines = captured.lines();
  REQUIRE(lines.size() == 3);
  CHECK_THAT(lines[0], Catch::EndsWith(" warn  jflow: written"));
  CHECK_THAT(lines[1],
             Catch::EndsWith(" error pea-a: from a pea traceparent=" + std::string(kTrace)));
  CHECK_THAT(lines[2], Catch::EndsWith(" error gateway: named"));
}

TEST_CASE("lines logged by many threads at once stay whole, one JSON object each", "[base][log]") {
  CapturedLog captured("log-threads", {LogLevel::debug, LogFormat::json});
  constexpr int kThreads = 4;
  constexpr int kLines = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      const LogSource source("pea-" + std::to_string(t));
      for (int i = 0; i < kLines; ++i) {
        log(LogLevel::info, std::string(200, static_cast<char>('a' + t)) + std::to_string(i));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::vector<std::string> lines = captured.lines();
  REQUIRE(lines.size() == std::size_t{kThreads * kLines});
  std::vector<int> per_thread(kThreads, 0);
  for (const std::string& line : lines) {
    const json parsed = json::parse(line);
    const std::string pea = parsed["pea"];
    const int t = std::stoi(pea.substr(4));
    // The message is the thread's own, whole: no other thread's bytes inside it.
    CHECK(parsed["msg"].get<std::string>().substr(0, 200) ==
          std::string(200, static_cast<char>('a' + t)));
    ++per_thread[static_cast<std::size_t>(t)];
  }
  for (int count : per_thread) CHECK(count == kLines);
}
