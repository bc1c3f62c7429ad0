// `--log-level` and `--log-format` through the jflow binary: with json, every line on stderr — the
// orchestrator's, a process pea's, the LogDriver's — is one JSON object with ts, level and pea,
// the level reaches the process pea, and the lines about one request carry its traceparent; bad
// values are usage errors naming them.
#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include <nlohmann/json.hpp>

#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;

TEST_CASE("jflow run --log-format json --log-level debug: every stderr line is a JSON object",
          "[cli][log]") {
  jflow::test::TempDir dir("log-json");
  const std::string flow = dir.write("logged.yml", R"(version: 1
transport: ipc
pods:
  - name: logged
    uses: [!LogDriver {docs: true}]
    runtime: process
  - name: broken
    uses: [!FailDriver {message: 'no "way"', every: 1}]
    runtime: process
)")
                               .string();
  const std::string input = dir.write("input.txt", "one\n").string();
  const jflow::test::SplitOutcome run = jflow::test::run_jflow_split(
      {"run", flow, "--input", input, "--log-format", "json", "--log-level", "debug"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 1);  // the request failed in `broken`

  // The failed request's traceparent, as `jflow run` prints it on stdout.
  std::smatch printed;
  REQUIRE(std::regex_search(run.out, printed,
                            std::regex(R"(executor=FailDriver: no "way" \| traceparent=(\S+))")));
  const std::string traceparent = printed[1];

  const std::vector<std::string> lines = jflow::test::output_lines(run.err);
  REQUIRE_FALSE(lines.empty());
  std::set<std::string> debug_from;
  bool logged_line = false, failure_line = false;
  for (const std::string& line : lines) {
    INFO(line);
    json parsed;
    REQUIRE_NOTHROW(parsed = json::parse(line));
    REQUIRE(parsed.is_object());
    REQUIRE(parsed.contains("ts"));
    CHECK(std::regex_match(parsed["ts"].get<std::string>(),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    REQUIRE(parsed.contains("level"));
    REQUIRE(parsed.contains("pea"));
    REQUIRE(parsed.contains("msg"));
    const std::string pea = parsed["pea"];
    const std::string msg = parsed["msg"];
    if (parsed["level"] == "debug") debug_from.insert(pea);
    if (pea == "logged" && msg.rfind("request ", 0) == 0) {
      logged_line = true;
      CHECK_THAT(msg, Contains(" index docs=1"));
      CHECK(parsed["traceparent"] == traceparent);
      CHECK(parsed["trace_id"] == traceparent.substr(3, 32));
    }
    if (pea == "broken" && parsed["level"] == "error") {
      failure_line = true;
      CHECK_THAT(msg, Contains("failed in FailDriver: no \"way\""));
      CHECK(parsed["traceparent"] == traceparent);
    }
  }
  CHECK(logged_line);
  CHECK(failure_line);
  // Both process peas were started at the orchestrator's level.
  CHECK(debug_from.count("logged") == 1);
  CHECK(debug_from.count("broken") == 1);
}

TEST_CASE("jflow run logs text lines with a timestamp, level and pea by default", "[cli][log]") {
  jflow::test::TempDir dir("log-text");
  const std::string flow = dir.write("logged.yml",
                                     "version: 1\npods:\n"
                                     "  - {name: logged, uses: \"- !LogDriver {}\"}\n")
                               .string();
  const std::string input = dir.write("input.txt", "one\n").string();
  const jflow::test::SplitOutcome run =
      jflow::test::run_jflow_split({"run", flow, "--input", input, "--log-level", "info"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(std::regex_search(
      run.err,
      std::regex(R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info  logged: request \S+ )"
                 R"(index traceparent=00-[0-9a-f]{32}-[0-9a-f]{16}-01\n)")));
  // Info hides the debug lines, warn the LogDriver's.
  CHECK_FALSE(std::regex_search(run.err, std::regex(" debug ")));
  const jflow::test::SplitOutcome quiet =
      jflow::test::run_jflow_split({"run", flow, "--input", input, "--log-level", "warn"});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
}

TEST_CASE("bad --log-level and --log-format values exit 2 naming the value",
          "[cli][log][bad-input]") {
  jflow::test::TempDir dir("log-bad");
  const std::string flow =
      dir.write("one.yml", "version: 1\npods:\n  - {name: a, uses: _pass}\n").string();
  const auto loud = jflow::test::run_jflow({"run", flow, "--log-level", "loud"});
  CHECK(loud.exit_code == 2);
  CHECK_THAT(loud.output, Contains("--log-level") && Contains("'loud'") &&
                              Contains("error, warn, info or debug"));
  const auto upper = jflow::test::run_jflow({"run", flow, "--log-level", "INFO"});
  CHECK(upper.exit_code == 2);
  CHECK_THAT(upper.output, Contains("'INFO'"));
  const auto xml = jflow::test::run_jflow({"daemon", "--insecure", "--log-format", "xml"});
  CHECK(xml.exit_code == 2);
  CHECK_THAT(xml.output, Contains("--log-format") && Contains("'xml'"));
  const auto pea = jflow::test::run_jflow(
      {"pea", "--control", "tcp://127.0.0.1:1", "--name", "p", "--log-level", "chatty"});
  CHECK(pea.exit_code == 2);
  CHECK_THAT(pea.output, Contains("'chatty'"));
}

TEST_CASE("a run that fails to start reports it as a JSON line under --log-format json",
          "[cli][log][bad-input]") {
  const auto missing = jflow::test::run_jflow_split(
      {"run", "/nonexistent/flow.yml", "--log-format", "json", "--input", "/dev/null"});
  CHECK(missing.exit_code == 2);
  INFO(missing.err);
  const std::vector<std::string> lines = jflow::test::output_lines(missing.err);
  REQUIRE(lines.size() == 1);
  const json parsed = json::parse(lines[0]);
  CHECK(parsed["level"] == "error");
  CHECK(parsed["pea"] == "jflow");
  CHECK_THAT(parsed["msg"].get<std::string>(), Contains("/nonexistent/flow.yml"));
}
