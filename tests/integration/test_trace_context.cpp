// Trace context end to end: a caller's traceparent comes back with the reply unchanged, a request
// without one gets a fresh one, a malformed one is refused naming it, and the trace id appears in
// the peas' log lines and in `jflow run`'s line about a failed request, and in the gateway's line
// about a request its pea's death ended.
#include <catch2/catch.hpp>

#include <csignal>
#include <optional>
#include <regex>

#include <nlohmann/json.hpp>

#include "support/captured_log.hpp"
#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"
#include "wire/traceparent.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

TEST_CASE("a flow returns the caller's traceparent, makes one when absent, refuses a bad one",
          "[integration][trace]") {
  auto runtime = GENERATE(Runtime::thread, Runtime::process);
  Flow flow(FlowBuilder().add("a", "_pass", runtime).add("b").parallel(2).build(),
            test::test_options());
  flow.start();
  Request traced = test::text_request("x");
  traced.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  Response r = flow.call(traced);
  REQUIRE(r.ok());
  CHECK(r.envelope.traceparent == traced.traceparent);
  CHECK(r.request.traceparent == traced.traceparent);

  Response first = flow.call(test::text_request("y"));
  Response second = flow.call(test::text_request("z"));
  REQUIRE(first.ok());
  CHECK_FALSE(traceparent_problem(first.envelope.traceparent));
  CHECK_FALSE(traceparent_problem(second.envelope.traceparent));
  CHECK(first.envelope.traceparent != second.envelope.traceparent);

  Request bad = test::text_request("w");
  bad.traceparent = "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01";
  Response refused = flow.call(bad);
  CHECK(refused.status().code == StatusCode::bad_request);
  CHECK(refused.status().pod == "gateway");
  CHECK_THAT(refused.status().message, Contains("traceparent: not lowercase hex"));
  CHECK(flow.metrics().refused == 1);
  flow.close();
}

TEST_CASE("the trace id is in the peas' log lines and in jflow run's error line",
          "[integration][trace][cli]") {
  test::TempDir dir("trace-log");
  const std::string flow =
      dir.write("traced.yml",
                "version: 1\ntransport: ipc\npods:\n"
                "  - {name: logged, uses: \"- !LogDriver {}\", runtime: process}\n"
                "  - {name: broken, uses: \"- !FailDriver {message: no, every: 1}\"}\n")
          .string();
  const std::string input = dir.write("input.txt", "one\n").string();
  const test::Outcome run = test::run_jflow({"run", flow, "--input", input});
  INFO(run.output);
  CHECK(run.exit_code == 1);
  std::smatch logged, failed;
  REQUIRE(
      std::regex_search(run.output, logged,
                        std::regex(R"(logged: request \S+ index traceparent=00-([0-9a-f]{32})-)")));
  REQUIRE(std::regex_search(
      run.output, failed,
      std::regex(
          R"(pod=broken executor=FailDriver: no \| traceparent=00-([0-9a-f]{32})-[0-9a-f]{16}-01)")));
  CHECK(logged[1] == failed[1]);
}

TEST_CASE("a request ended because its pea died is logged with its traceparent",
          "[integration][trace][log][death]") {
  test::CapturedLog captured("death-log", {LogLevel::info, LogFormat::json});
  FlowSpec spec = FlowBuilder()
                      .add("slow", "- !WaitDriver {duration: 30s}", Runtime::process)
                      .restart(RestartPolicy::never)
                      .build();
  Flow flow(spec, test::test_options());
  flow.start();
  int pid = 0;
  for (const PeaStatus& pea : flow.status()) pid = pea.pid;
  REQUIRE(pid > 0);
  Request request = test::text_request("held");
  request.traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
  std::optional<Response> response;
  flow.submit(request, [&](Response&& r) { response = std::move(r); });
  ::kill(pid, SIGKILL);
  REQUIRE(test::poll_until(
      flow, [&] { return response.has_value(); }, std::chrono::seconds(10)));
  CHECK(response->status().code == StatusCode::pea_lost);
  flow.close();

  bool died = false, failed = false;
  for (const std::string& line : captured.lines()) {
    INFO(line);
    const nlohmann::json parsed = nlohmann::json::parse(line);
    const std::string msg = parsed["msg"];
    if (parsed["pea"] == "flow" && msg.find("pea 'slow'") != std::string::npos) {
      died = parsed["level"] == "error" && msg.find("signal 9") != std::string::npos;
    }
    if (parsed["pea"] == "gateway" &&
        msg.find("request " + response->envelope.request_id + " failed: ") == 0) {
      failed = true;
      CHECK(parsed["level"] == "error");
      CHECK(parsed["traceparent"] == request.traceparent);
      CHECK(parsed["trace_id"] == "0af7651916cd43dd8448eb211c80319c");
    }
  }
  CHECK(died);
  CHECK(failed);
}
