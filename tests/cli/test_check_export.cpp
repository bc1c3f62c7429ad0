// `jflow check` and `jflow export` as a user meets them: the expanded peas and their sockets, the
// driver list, drawings in mermaid and dot, Graphviz formats with and without `dot` on PATH, and
// exit code 2 with file:line:col for flows that cannot run.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/run_jflow.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using jflow::test::Outcome;
using jflow::test::run_jflow_words;

namespace {

// A path in the temp folder for one test, removed (with anything under it) when the test ends.
class TempPath {
 public:
  explicit TempPath(const std::string& name)
      : path_(std::filesystem::temp_directory_path() /
              ("jflow-test-" + std::to_string(::getpid()) + "-" + name)) {}
  TempPath(const std::string& name, const std::string& text) : TempPath(name) {
    std::ofstream(path_) << text;
  }
  ~TempPath() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("jflow check prints the peas of a diamond and how they join", "[cli][check]") {
  const Outcome out = run_jflow_words("check " + jflow::test::valid_flow_path("diamond.yml"));
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("ok: 4 pods, 4 peas, transport tcp on 127.0.0.1"));
  CHECK_THAT(out.output, Contains("gateway sends each request to a; the reply comes from d"));
  CHECK_THAT(out.output, Contains("pod d: needs b, c"));
  CHECK_THAT(out.output, Contains("joins b, c (waits up to the deadline, or 5s without one)"));
  CHECK_THAT(out.output, Contains("drivers: index, search, train: MergeDriver"));
  CHECK_THAT(out.output, Contains("connects PUSH -> gateway"));
}

TEST_CASE("jflow check shows heads, replicas and tails with their sockets", "[cli][check]") {
  const Outcome out = run_jflow_words("check " + jflow::test::valid_flow_path("parallel.yml"));
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("2 pods, 9 peas"));
  CHECK_THAT(out.output, Contains("binds ROUTER tcp://127.0.0.1:* (to index/0, index/1, index/2; "
                                  "polling all)"));
  CHECK_THAT(out.output, Contains("binds PULL tcp://127.0.0.1:* (from encode/tail)"));
  CHECK_THAT(out.output, Contains("connects DEALER -> encode/head"));
  CHECK_THAT(out.output, Contains("joins index/0, index/1, index/2"));
  CHECK_THAT(out.output, Contains("MergeMatchesDriver {top_k: 5}"));
  CHECK_THAT(out.output, Contains("polling any, round_robin"));
  CHECK_THAT(out.output, Contains("connects PUSH -> encode/tail (errors for a lost replica's"));
}

TEST_CASE("jflow check notes uses_after that a pod without a tail ignores", "[cli][check]") {
  const TempPath flow("one-shard.yml",
                      "version: 1\ntransport: inproc\npods:\n  - name: idx\n    parallel: 1\n"
                      "    polling: all\n    uses_after: _merge_matches\n");
  const Outcome out = run_jflow_words("check " + flow.str());
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("note: uses_before/uses_after are ignored with parallel 1"));
  CHECK_THAT(out.output, Contains("binds PULL inproc://jflow-<flow id>-idx-in (from gateway)"));
}

TEST_CASE("jflow check without a flow lists the drivers and the uses aliases", "[cli][check]") {
  const Outcome out = run_jflow_words("check");
  INFO(out.output);
  CHECK(out.exit_code == 0);
  for (const char* kind : {"ForwardDriver", "LogDriver", "WaitDriver", "FailDriver", "MergeDriver",
                           "MergeMatchesDriver"}) {
    CHECK_THAT(out.output, Contains(std::string("  ") + kind));
  }
  CHECK_THAT(out.output, Contains("top_k (integer, default 10)"));
  CHECK_THAT(out.output, Contains("_merge_matches = [!MergeMatchesDriver {}]"));
  CHECK_THAT(out.output, Contains("_pass = [!ForwardDriver {}]"));
}

TEST_CASE("jflow check without a flow lists the executors with options and default drivers",
          "[cli][check][executors]") {
  const Outcome out = run_jflow_words("check");
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("Executors (uses: Kind"));
  for (const char* kind : {"SentenceSplitter", "FeatureHashEncoder", "VectorIndexer", "DocStore",
                           "ChunkRanker", "EncodeDriver", "VectorSearchDriver"}) {
    CHECK_THAT(out.output, Contains(std::string("  ") + kind));
  }
  CHECK_THAT(out.output, Contains("metric (string, default cosine)"));
  CHECK_THAT(out.output,
             Contains("default requests: {index: [!VectorIndexDriver {level: chunks}]"));
}

TEST_CASE("jflow check shows each pod's executor", "[cli][check][executors]") {
  const Outcome out = run_jflow_words("check " + jflow::test::source_path("flows/hello.yml"));
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("executor FeatureHashEncoder {dim: 256, ngrams: 2} (metas name "
                                  "encode, workspace none: state stays in memory)"));
  CHECK_THAT(out.output, Contains("index/tail"));
}

TEST_CASE("jflow check and export refuse a flow that cannot run with exit 2", "[cli][bad-input]") {
  const TempPath flow("cycle.yml",
                      "version: 1\npods:\n  - name: a\n    needs: b\n  - name: b\n    needs: a\n");
  for (const char* command : {"check ", "export "}) {
    const Outcome out = run_jflow_words(command + flow.str());
    INFO(out.output);
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains(flow.str() + ":4:12: cycle: a -> b -> a"));
  }
  const Outcome missing = run_jflow_words("check /nonexistent/flow.yml");
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.output, Contains("no such flow file"));
}

TEST_CASE("jflow export draws mermaid by default, with pods as subgraphs", "[cli][export]") {
  const Outcome out = run_jflow_words("export " + jflow::test::valid_flow_path("parallel.yml"));
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, StartsWith("flowchart LR\n"));
  CHECK_THAT(out.output, Contains("subgraph pod_index[\"index: parallel 3, polling all\"]"));
  CHECK_THAT(out.output, Contains("pea_index_head -->|\"ROUTER -> DEALER, polling all\"| "
                                  "pea_index_0"));
  CHECK_THAT(out.output, Contains("pea_index_0 -->|\"PUSH -> PULL, join\"| pea_index_tail"));
  CHECK_THAT(out.output, Contains("gateway_in -->|\"PUSH -> PULL\"| pea_encode_head"));
  CHECK_THAT(out.output, Contains("pea_index_tail -->|\"PUSH -> PULL\"| gateway_out"));
}

TEST_CASE("jflow export --format dot -o writes a Graphviz file", "[cli][export]") {
  const TempPath output("diamond.dot");
  const Outcome out = run_jflow_words("export " + jflow::test::valid_flow_path("diamond.yml") +
                                      " --format dot -o " + output.str());
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK(out.output.empty());
  const std::string dot = read_file(output.path());
  CHECK_THAT(dot, StartsWith("digraph flow {"));
  CHECK_THAT(dot, Contains("\"b\" -> \"d\" [label=\"PUSH -> PULL, join\"];"));
  CHECK_THAT(dot, Contains("\"d\" -> \"gateway (replies)\""));
}

TEST_CASE("jflow export svg and png go through Graphviz's dot", "[cli][export]") {
  SECTION("without dot on PATH it says to install graphviz and exits 2") {
    const Outcome out =
        run_jflow_words("export " + jflow::test::valid_flow_path("diamond.yml") + " --format svg",
                        {"PATH=/nonexistent"});
    INFO(out.output);
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains("install graphviz"));
  }
  SECTION("with dot on PATH it renders the dot text") {
    // A stand-in `dot` that prints its arguments and the graph it was given.
    const TempPath bin("fake-graphviz");
    std::filesystem::create_directories(bin.path());
    const std::filesystem::path fake = bin.path() / "dot";
    std::ofstream(fake) << "#!/bin/sh\necho \"fake dot $1\"\nfor last; do :; done\ncat \"$last\"\n";
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
    const Outcome out =
        run_jflow_words("export " + jflow::test::valid_flow_path("diamond.yml") + " --format png",
                        {"PATH=" + bin.str() + ":/usr/bin:/bin"});
    INFO(out.output);
    CHECK(out.exit_code == 0);
    CHECK_THAT(out.output, Contains("fake dot -Tpng"));
    CHECK_THAT(out.output, Contains("digraph flow {"));
  }
  SECTION("an unknown format is a usage error") {
    const Outcome out =
        run_jflow_words("export " + jflow::test::valid_flow_path("diamond.yml") + " --format pdf");
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains("pdf"));
  }
}
