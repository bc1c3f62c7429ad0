// The log of a pea on a daemon host: started with the orchestrator's level and format, its lines
// come back over the daemon link and are written as the orchestrator's own — JSON kept (not wrapped
// twice) with the host added, the request's traceparent still on the LogDriver's line.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/captured_log.hpp"
#include "support/local_daemon.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using nlohmann::json;

namespace {

constexpr const char* kTrace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

}  // namespace

TEST_CASE("a pea on a daemon logs at the orchestrator's level and format, with its host",
          "[hosts][log]") {
  test::CapturedLog captured("daemon-log", {LogLevel::debug, LogFormat::json});
  DaemonOptions options;
  options.insecure = true;
  test::LocalDaemon daemon(options);
  Flow flow(FlowBuilder().add("there", "- !LogDriver {}").pod_host(daemon.address()).build(),
            test::test_options());
  flow.start();
  Request request = test::text_request("hello");
  request.traceparent = kTrace;
  REQUIRE(flow.call(request).ok());

  // The pea's lines travel pea → pipe → daemon → link: wait for the LogDriver's to arrive.
  const auto arrived = [&] {
    for (const std::string& line : captured.lines()) {
      if (line.find("\"msg\":\"request ") != std::string::npos) return true;
    }
    return false;
  };
  REQUIRE(test::poll_until(flow, arrived, std::chrono::seconds(10)));
  flow.close();

  bool request_line = false, debug_line = false;
  for (const std::string& line : captured.lines()) {
    INFO(line);
    json parsed;
    REQUIRE_NOTHROW(parsed = json::parse(line));
    CHECK(parsed.contains("ts"));
    CHECK(parsed.contains("level"));
    CHECK(parsed.contains("pea"));
    if (parsed["pea"] != "there") continue;
    CHECK(parsed["host"] == daemon.address());
    const std::string msg = parsed["msg"];
    CHECK(msg.rfind("{", 0) == std::string::npos);  // not a JSON line wrapped in another
    if (msg.rfind("request ", 0) == 0) {
      request_line = true;
      CHECK(parsed["level"] == "info");
      CHECK(parsed["traceparent"] == kTrace);
      CHECK(parsed["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736");
    }
    debug_line |= parsed["level"] == "debug";
  }
  CHECK(request_line);
  CHECK(debug_line);  // the level reached the pea on the daemon
}
