// The jflow binary as a user meets it: run a flow, get help, and get file:line:col errors with
// exit code 2 for bad flow files and bad command lines.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "support/run_jflow.hpp"
#include "support/test_support.hpp"

using jflow::test::Outcome;
using jflow::test::run_jflow_words;

using Catch::Matchers::Contains;

namespace {

// A file in the temp folder for one test, removed when the test ends.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& text)
      : path_(std::filesystem::temp_directory_path() /
              ("jflow-test-" + std::to_string(::getpid()) + "-" + name)) {
    std::ofstream(path_) << text;
  }
  ~TempFile() { std::filesystem::remove(path_); }
  std::string str() const { return path_.string(); }
  operator std::string() const { return str(); }

 private:
  std::filesystem::path path_;
};

}  // namespace

TEST_CASE("jflow run on the hello flow prints every result and exits 0", "[cli]") {
  Outcome out = run_jflow_words("run " + jflow::test::source_path("flows/wait_log_pass.yml"));
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("10 requests (10 documents): 10 ok, 0 failed"));
  CHECK_THAT(out.output, Contains("route=wait>log>pass | A flow is a graph of pods."));
}

TEST_CASE("jflow run --quiet prints a summary only - --input overrides the declared input",
          "[cli]") {
  TempFile input("input.txt", "one\ntwo\n\nthree\n");
  Outcome out = run_jflow_words("run --quiet --input " + input.str() + " " +
                                jflow::test::source_path("flows/linear_thread.yml"));
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("2 requests (3 documents): 2 ok, 0 failed"));
  CHECK_THAT(out.output, !Contains("route="));
}

TEST_CASE("failing requests make jflow run exit 1 and print the pod and reason", "[cli]") {
  TempFile flow("fail.yml",
                "version: 1\ntransport: inproc\npods:\n"
                "  - name: boom\n    uses: '- !FailDriver {message: kaput}'\n");
  TempFile input("one.txt", "x\n");
  Outcome out = run_jflow_words("run --input " + input.str() + " " + flow.str());
  INFO(out.output);
  CHECK(out.exit_code == 1);
  CHECK_THAT(out.output, Contains("pod=boom executor=FailDriver: kaput"));
}

TEST_CASE("jflow --help and run --help explain themselves", "[cli]") {
  Outcome top = run_jflow_words("--help");
  CHECK(top.exit_code == 0);
  CHECK_THAT(top.output, Contains("run"));
  Outcome run = run_jflow_words("run --help");
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.output, Contains("--input"));
  CHECK_THAT(run.output, Contains("Exit codes"));
}

TEST_CASE("bad command lines exit 2 with a message", "[cli][bad-input]") {
  CHECK(run_jflow_words("").exit_code == 2);
  CHECK(run_jflow_words("frobnicate").exit_code == 2);
  Outcome missing = run_jflow_words("run");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Contains("flow"));
  Outcome timeout =
      run_jflow_words("run --timeout soon " + jflow::test::source_path("flows/wait_log_pass.yml"));
  CHECK(timeout.exit_code == 2);
  CHECK_THAT(timeout.output, Contains("--timeout"));
}

TEST_CASE("bad flow files exit 2 with file:line:col: message", "[cli][bad-input]") {
  SECTION("missing file") {
    Outcome out = run_jflow_words("run /nonexistent/flow.yml");
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains("/nonexistent/flow.yml"));
  }
  SECTION("syntax error") {
    TempFile flow("syntax.yml", "version: 1\npods: [\n");
    Outcome out = run_jflow_words("run " + flow.str());
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains(flow.str() + ":"));
  }
  SECTION("unknown key with a suggestion") {
    TempFile flow("key.yml", "version: 1\npods:\n  - nmae: a\n");
    Outcome out = run_jflow_words("run " + flow.str());
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains(flow.str() + ":3:5:") && Contains("did you mean 'name'"));
  }
  SECTION("unknown uses with a suggestion") {
    TempFile flow("uses.yml", "version: 1\npods:\n  - name: a\n    uses: _pas\n");
    Outcome out = run_jflow_words("run " + flow.str());
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains(flow.str() + ":4:11:") && Contains("did you mean '_pass'"));
  }
  // A flow with no input declared and none given is served instead (tests/serve/).
}

TEST_CASE("an executor that cannot save its state says so, naming the pea", "[cli][executors]") {
  // /dev/null is a file, so no workspace folder can be made under it: VectorIndexer's close()
  // fails after the requests have been answered.
  TempFile flow("unsaved.yml",
                "version: 1\ntransport: inproc\nworkspace: /dev/null/jflow-workspace\npods:\n"
                "  - name: split\n    uses: SentenceSplitter\n"
                "  - name: encode\n    uses: FeatureHashEncoder\n"
                "  - name: vec\n    uses: VectorIndexer\n");
  TempFile input("verses.txt", "In the beginning was the Word.\nJesus wept.\n");
  Outcome out = run_jflow_words("run --quiet --input " + input.str() + " " + flow.str());
  INFO(out.output);
  CHECK_THAT(out.output, Contains("2 requests (2 documents): 2 ok, 0 failed"));
  CHECK_THAT(out.output, Contains("pea 'vec': executor VectorIndexer could not save its state"));
  CHECK(out.exit_code == 1);  // the requests were fine, but the index is not saved
}
