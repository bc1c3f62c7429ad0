// `jflow run` streams (issue 12): it starts the flow first, reads its input only as the window
// allows, from a file or standard input, prints each reply as it arrives, stops at a bad line
// with FILE:LINE, and ends every request when a pea dies while input is still being read.
#include <catch2/catch.hpp>

#include <csignal>
#include <regex>
#include <set>

#include "support/jflow_child.hpp"
#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using jflow::test::JflowChild;
using jflow::test::Outcome;
using jflow::test::run_jflow;
using jflow::test::TempDir;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPassFlow =
    "version: 1\ntransport: inproc\npods:\n  - name: a\n    uses: _pass\n";

std::string numbered_lines(std::size_t count) {
  std::string text;
  for (std::size_t i = 1; i <= count; ++i) text += "line " + std::to_string(i) + "\n";
  return text;
}

// "stats: at most N documents held at once ..." → N, or -1.
long held_documents(const std::string& output) {
  std::smatch match;
  if (!std::regex_search(output, match, std::regex(R"(stats: at most (\d+) documents held)")))
    return -1;
  return std::stol(match[1]);
}

}  // namespace

TEST_CASE("jflow run --input - prints each reply while standard input is still open",
          "[cli][stream]") {
  TempDir dir("stream-stdin");
  const auto flow = dir.write("flow.yml", kPassFlow);
  JflowChild run({"run", "--input", "-", flow.string()});
  // Each reply appears before the next line is even written: nothing waits for the input's end,
  // and nothing collects the replies first.
  run.write("first\n");
  CHECK(run.wait_for("route=a | first", 20s));
  run.write("second\n\nthird\n");
  CHECK(run.wait_for("route=a | third", 20s));
  const int code = run.finish();
  INFO(run.output());
  CHECK(code == 0);
  CHECK_THAT(run.output(), Contains("index: 3 requests (3 documents): 3 ok, 0 failed"));
}

TEST_CASE("jflow run holds at most the window: 30000 lines through max_in_flight 4",
          "[cli][stream]") {
  TempDir dir("stream-window");
  const auto flow = dir.write(
      "flow.yml", std::string(kPassFlow) + "input:\n  lines: in.txt\n  request_size: 3\n");
  dir.write("in.txt", numbered_lines(30000));
  // Counted by the reader, not timed: documents read whose requests had not ended yet.
  Outcome out = run_jflow({"run", "--quiet", "--stats", "--max-in-flight", "4", flow.string()});
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("index: 10000 requests (30000 documents): 10000 ok, 0 failed"));
  const long held = held_documents(out.output);
  CHECK(held >= 3);
  CHECK(held <= 4 * 3);  // max_in_flight × request_size, whatever the input's size
  CHECK_THAT(out.output, Contains("(max_in_flight 4)"));
}

TEST_CASE("jflow run: every reply printed once, numbered by line, nothing missing",
          "[cli][stream]") {
  TempDir dir("stream-all");
  const auto flow = dir.write(
      "flow.yml",
      "version: 1\ntransport: inproc\npods:\n  - name: a\n    uses: _pass\n    parallel: 3\n");
  const auto input = dir.write("in.txt", numbered_lines(2000));
  Outcome out = run_jflow({"run", "--input", input.string(), flow.string()});
  CHECK(out.exit_code == 0);
  std::set<std::size_t> seen;
  std::size_t lines = 0;
  const std::regex reply(R"(\[(\d+)\] ok index [0-9.]+ ms route=[^ ]+ \| line (\d+))");
  for (auto it = std::sregex_iterator(out.output.begin(), out.output.end(), reply);
       it != std::sregex_iterator(); ++it) {
    ++lines;
    const std::size_t number = std::stoul((*it)[1]);
    CHECK(number == std::stoul((*it)[2]));  // request n carries line n
    seen.insert(number);
  }
  CHECK(lines == 2000);
  CHECK(seen.size() == 2000);
  CHECK(*seen.begin() == 1);
  CHECK(*seen.rbegin() == 2000);
  CHECK_THAT(out.output, Contains("index: 2000 requests (2000 documents): 2000 ok, 0 failed"));
}

TEST_CASE("jflow run: a bad tsv line mid-file stops the reading with FILE:LINE, exit 2",
          "[cli][stream][bad-input]") {
  TempDir dir("stream-bad");
  const auto flow = dir.write("flow.yml", std::string(kPassFlow) +
                                              "input:\n"
                                              "  - {lines: docs.tsv, format: tsv}\n"
                                              "  - {lines: queries.txt, type: search}\n");
  const auto docs = dir.write("docs.tsv", "a\tone\nb\ttwo\n\nc\tthree\nno tab here\nd\tfour\n");
  dir.write("queries.txt", "one\n");
  Outcome out = run_jflow({"run", flow.string()});
  INFO(out.output);
  CHECK(out.exit_code == 2);
  CHECK_THAT(out.output, Contains(docs.string() + ":5: expected 'id<TAB>text' (format: tsv)"));
  // The three documents before it were sent and answered; nothing after it, no later phase.
  CHECK_THAT(out.output, Contains("index: 3 requests (3 documents): 3 ok, 0 failed"));
  CHECK_THAT(out.output, !Contains("four"));
  CHECK_THAT(out.output, !Contains("search:"));

  // The same from standard input, named "stdin".
  JflowChild piped({"run", "--input", "-", "--format", "tsv", flow.string()});
  piped.write("a\tone\n\tno id\n");
  const int code = piped.finish();
  INFO(piped.output());
  CHECK(code == 2);
  CHECK_THAT(piped.output(),
             Contains("stdin:2: expected 'id<TAB>text' (format: tsv), the id is empty"));
}

TEST_CASE("jflow run --max-in-flight and a missing input are usage errors before anything starts",
          "[cli][stream][bad-input]") {
  TempDir dir("stream-usage");
  const auto flow = dir.write("flow.yml", kPassFlow);
  for (const char* bad : {"0", "-3", "100001", "lots"}) {
    Outcome out =
        run_jflow({"run", "--input", "-", std::string("--max-in-flight=") + bad, flow.string()});
    INFO(bad << ": " << out.output);
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains("--max-in-flight: expected 1 to 100000"));
  }
  Outcome missing =
      run_jflow({"run", "--input", (dir.path() / "nope.txt").string(), flow.string()});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Contains("cannot read input file"));
  const auto yaml = dir.write("bad.yml", "version: 1\nmax_in_flight: 0\npods:\n  - name: a\n");
  Outcome key = run_jflow({"check", yaml.string()});
  CHECK(key.exit_code == 2);
  CHECK_THAT(key.output, Contains(yaml.string() + ":2:16: max_in_flight: expected 1 to 100000"));
}

TEST_CASE("jflow run: a pea killed while stdin is still being read ends every request",
          "[cli][stream][death]") {
  TempDir dir("stream-death");
  const auto flow =
      dir.write("flow.yml",
                "version: 1\ntransport: ipc\nwith: {runtime: process, restart: never}\n"
                "pods:\n  - {name: head, uses: _pass}\n"
                "  - {name: middle, uses: '- !WaitDriver {duration: 5ms}'}\n"
                "  - {name: tail, uses: _pass}\n");
  JflowChild run({"run", "--input", "-", flow.string()});
  run.write(numbered_lines(20));
  REQUIRE(run.wait_for("| line 5\n", 30s));
  const int middle = run.pea_pid("middle");
  REQUIRE(middle > 0);
  const std::vector<int> peas = {run.pea_pid("head"), middle, run.pea_pid("tail")};
  ::kill(middle, SIGKILL);
  // The input goes on after the death: those requests fail fast too, none hangs.
  std::string more;
  for (int i = 21; i <= 40; ++i) more += "line " + std::to_string(i) + "\n";
  run.write(more);
  const int code = run.finish();
  INFO(run.output());
  CHECK(code == 1);
  CHECK_THAT(run.output(), Contains("pea_lost"));
  CHECK_THAT(run.output(), Contains("pea 'middle'"));
  std::smatch summary;
  REQUIRE(std::regex_search(
      run.output(), summary,
      std::regex(R"(index: 40 requests \(40 documents\): (\d+) ok, (\d+) failed)")));
  CHECK(std::stoi(summary[1]) >= 5);
  CHECK(std::stoi(summary[2]) >= 20);  // at least every line written after the kill
  for (int pid : peas) CHECK_FALSE(jflow::test::process_exists(pid));
}

TEST_CASE("jflow run --files sends each file under a folder as a document", "[cli][stream]") {
  TempDir dir("stream-files");
  const auto flow = dir.write("flow.yml", kPassFlow);
  dir.write("in/a.txt", "alpha");
  dir.write("in/b/c.txt", "gamma");
  Outcome out =
      run_jflow({"run", "--quiet", "--files", (dir.path() / "in").string(), "--", flow.string()});
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("index: 2 requests (2 documents): 2 ok, 0 failed"));
  Outcome missing =
      run_jflow({"run", "--files", (dir.path() / "none").string(), "--", flow.string()});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Contains("no such file or directory"));
}

TEST_CASE("jflow run --npy streams the rows of a 2-D array within the window", "[cli][stream]") {
  TempDir dir("stream-npy");
  const auto flow = dir.write("flow.yml", kPassFlow);
  // A version 1.0 .npy: magic, version, header length, the header dict padded to 64 bytes, rows.
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (300, 4), }";
  header.append(64 - (10 + header.size() + 1) % 64, ' ');
  header += '\n';
  std::string npy("\x93NUMPY\x01\x00", 8);
  npy += static_cast<char>(header.size() & 0xff);
  npy += static_cast<char>(header.size() >> 8);
  npy += header;
  npy.append(300 * 4 * sizeof(float), '\0');
  const auto array = dir.write("rows.npy", npy);
  Outcome out = run_jflow({"run", "--quiet", "--stats", "--max-in-flight", "3", "--npy",
                           array.string(), flow.string()});
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("index: 300 requests (300 documents): 300 ok, 0 failed"));
  const long held = held_documents(out.output);
  CHECK(held >= 1);
  CHECK(held <= 3);
  // A truncated file is an error naming it, before anything starts.
  const auto cut = dir.write("cut.npy", npy.substr(0, npy.size() - 5));
  Outcome bad = run_jflow({"run", "--npy", cut.string(), flow.string()});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output, Contains(cut.string() + ": npy data is"));
}

TEST_CASE("jflow run: SIGINT while input is read prints the summary of what was done, exit 130",
          "[cli][stream][signal]") {
  TempDir dir("stream-sigint");
  const auto flow = dir.write("flow.yml", kPassFlow);
  JflowChild run({"run", "--input", "-", flow.string()});
  run.write("first\nsecond\n");
  REQUIRE(run.wait_for("route=a | second", 20s));
  // stdin stays open: without the interrupt the run would wait for more input.
  ::kill(run.pid(), SIGINT);
  CHECK(run.wait_for("interrupted; the rest of the input was not sent", 20s));
  const int code = run.finish();
  INFO(run.output());
  CHECK(code == 130);
  CHECK_THAT(run.output(), Contains("index: 2 requests (2 documents): 2 ok, 0 failed"));
}
