// What a newcomer meets first (issue 17): `jflow --version` / `jflow version`, summaries with
// milliseconds and a rate, per-request latencies, and `jflow new NAME`, whose flow runs and
// passes `jflow check`. (That `./dev run` builds no test target is the ctest run_builds_no_tests.)
#include <catch2/catch.hpp>

#include <regex>

#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using jflow::test::Outcome;
using jflow::test::run_jflow;

namespace {

bool has_line_matching(const std::string& output, const std::string& pattern) {
  const std::regex line(pattern);
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    if (std::regex_match(output.substr(start, end - start), line)) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

TEST_CASE("jflow --version and jflow version name jflow, its libraries and CURVE", "[cli]") {
  for (const char* form : {"--version", "version"}) {
    Outcome out = run_jflow({form});
    INFO(form << "\n" << out.output);
    CHECK(out.exit_code == 0);
    CHECK(has_line_matching(out.output, R"(jflow \d+\.\d+\.\d+)"));
    CHECK(has_line_matching(out.output, R"(libzmq \d+\.\d+\.\d+( \(running \d+\.\d+\.\d+\))?)"));
    CHECK(has_line_matching(out.output, R"(msgpack-cxx \d+\.\d+\.\d+)"));
    CHECK(has_line_matching(out.output, R"(yaml-cpp \d+\.\d+\.\d+)"));
    CHECK(has_line_matching(out.output, R"(CURVE (available|not available) \(.*\))"));
  }
}

TEST_CASE("summaries print milliseconds and a rate - request lines their latency", "[cli]") {
  jflow::test::TempDir dir("summary");
  const auto flow =
      dir.write("flow.yml", "version: 1\ntransport: inproc\npods:\n  - name: a\n    uses: _pass\n");
  const auto input = dir.write("in.txt", "one\ntwo\nthree\n");
  Outcome out = run_jflow({"run", "--input", input.string(), flow.string()});
  INFO(out.output);
  CHECK(out.exit_code == 0);
  // "index: 3 requests (3 documents): 3 ok, 0 failed in 0.004 s (751 docs/s)"
  CHECK(has_line_matching(
      out.output,
      R"(index: 3 requests \(3 documents\): 3 ok, 0 failed in \d+\.\d{3} s \((\d\.\d\d|\d\d\.\d|\d{3})[kM]? docs/s\))"));
  // "[1] ok index 0.214 ms route=a | one": three significant digits.
  CHECK(has_line_matching(
      out.output,
      R"(\[\d\] ok index (\d\.\d{3}|\d\.\d\d|\d\d\.\d|\d{3,}) ms route=a \| (one|two|three))"));
}

TEST_CASE("jflow new writes a flow that passes jflow check and runs", "[cli]") {
  jflow::test::TempDir dir("new");
  Outcome made = run_jflow({"new", "first", "--dir", dir.path().string()});
  INFO(made.output);
  REQUIRE(made.exit_code == 0);
  const std::string flow = (dir.path() / "first" / "first.yml").string();
  CHECK_THAT(made.output, Contains("jflow run " + flow));

  Outcome checked = run_jflow({"check", flow});
  INFO(checked.output);
  CHECK(checked.exit_code == 0);

  Outcome ran = run_jflow({"run", flow});
  INFO(ran.output);
  CHECK(ran.exit_code == 0);
  CHECK_THAT(ran.output, Contains("index: 2 requests (8 documents): 2 ok, 0 failed"));
  CHECK_THAT(ran.output, Contains("search: 2 requests (2 documents): 2 ok, 0 failed"));
  // The query about shards finds the document about shards first.
  CHECK(has_line_matching(ran.output, R"(\s+\d\.\d{4}\s+shard\s+With polling: all .*)"));

  // A second `jflow new` with the same name refuses (exit 2) and changes nothing.
  Outcome again = run_jflow({"new", "first", "--dir", dir.path().string()});
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.output, Contains("exists already"));
  Outcome bad = run_jflow({"new", "a/b", "--dir", dir.path().string()});
  CHECK(bad.exit_code == 2);
}
