// What a process pea prints past jflow's logger (a plugin's printf, a write to stderr) reaches
// `jflow run`'s log as that pea's lines — JSON objects under --log-format json — and never its
// stdout, which holds the results alone (src/flow/pea_output_relay.hpp).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;
using nlohmann::json;

namespace {

std::string printing_flow(jflow::test::TempDir& dir) {
  return dir
      .write("printing.yml", "version: 1\nplugins: [" + std::string(JFLOW_PRINT_PLUGIN) +
                                 "]\n"
                                 "pods:\n"
                                 "  - name: printer\n"
                                 "    uses: [!PrintDriver {text: raw-words}, !LogDriver {}]\n"
                                 "    runtime: process\n")
      .string();
}

}  // namespace

TEST_CASE("a process pea's own prints are JSON log lines of that pea and stay off stdout",
          "[cli][log]") {
  jflow::test::TempDir dir("pea-output-json");
  const std::string flow = printing_flow(dir);
  const std::string input = dir.write("input.txt", "one\ntwo\nthree\n").string();
  const jflow::test::SplitOutcome run =
      jflow::test::run_jflow_split({"run", flow, "--input", input, "--log-format", "json"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, !Contains("raw-words"));
  CHECK(jflow::test::output_lines(run.out).size() == 3 + 1);  // a line per request and the summary

  int to_stdout = 0, to_stderr = 0, logged = 0;
  for (const std::string& line : jflow::test::output_lines(run.err)) {
    INFO(line);
    json parsed;
    REQUIRE_NOTHROW(parsed = json::parse(line));
    REQUIRE(parsed.is_object());
    const std::string msg = parsed["msg"];
    if (msg == "raw-words to stdout" || msg == "raw-words to stderr") {
      CHECK(parsed["pea"] == "printer");
      CHECK(parsed["level"] == "info");
      ++(msg == "raw-words to stdout" ? to_stdout : to_stderr);
    }
    // The LogDriver's own line, kept as the pea wrote it: not wrapped in another line.
    if (parsed["pea"] == "printer" && msg.rfind("request ", 0) == 0) ++logged;
  }
  CHECK(to_stdout == 3);
  CHECK(to_stderr == 3);
  CHECK(logged == 3);
}

TEST_CASE("a process pea's own prints are text log lines of that pea by default", "[cli][log]") {
  jflow::test::TempDir dir("pea-output-text");
  const std::string flow = printing_flow(dir);
  const std::string input = dir.write("input.txt", "one\n").string();
  const jflow::test::SplitOutcome run =
      jflow::test::run_jflow_split({"run", flow, "--input", input});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, !Contains("raw-words"));
  int wrapped = 0, logged = 0;
  for (const std::string& line : jflow::test::output_lines(run.err)) {
    if (line.find(" info  printer: raw-words to ") != std::string::npos) ++wrapped;
    if (line.find(" info  printer: request ") != std::string::npos) {
      ++logged;
      // Kept once: a wrapped line would carry a second timestamp after the pea's name.
      CHECK(line.find("Z info  printer: 20") == std::string::npos);
    }
  }
  CHECK(wrapped == 2);
  CHECK(logged == 1);
}
