// The example flows in flows/ as a user runs them: `jflow run flows/NAME.yml` through the binary,
// with the input the flow declares; every request must succeed and show the topology in its route.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>

#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using jflow::test::Outcome;

namespace {

Outcome run_example(const std::string& flow) {
  // --timeout: a request that hangs ends as an error (exit 1) instead of hanging the test.
  return jflow::test::run_jflow(
      {"run", "--timeout", "20s", jflow::test::source_path("flows/" + flow)});
}

}  // namespace

TEST_CASE("flows/diamond.yml runs: both branches reach the join, one document per reply",
          "[cli][examples]") {
  Outcome out = run_example("diamond.yml");
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("5 requests (5 documents): 5 ok, 0 failed"));
  // The route names each pea once: the fork, both branches (in order of the sending pea's name),
  // then the join.
  CHECK_THAT(out.output, Contains("route=split>slow>words>join | "));
  // `jflow run` gives its documents no id; _merge matches such documents by their place, so each
  // reply holds the line once, with both branches' tags.
  CHECK_THAT(out.output, Contains(" | The join waits for both parts.\n"));
}

TEST_CASE("flows/parallel.yml runs: replicas with polling any, shards with polling all",
          "[cli][examples]") {
  Outcome out = run_example("parallel.yml");
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("8 requests (8 documents): 8 ok, 0 failed"));
  CHECK_THAT(out.output, Contains("ok search"));
  // Each request passed one encode replica and both index shards, then the index tail; the
  // route names each pea once.
  CHECK_THAT(out.output, Contains("route=encode/head>encode/"));
  CHECK_THAT(out.output, Contains(">index/head>index/0>index/1>index/tail | "));
  CHECK_THAT(out.output, !Contains("index/0>encode/"));
  // The tail merges the shards' copies into one document (id-less documents match by place).
  CHECK_THAT(out.output, Contains("index/tail | Two shards answer every search.\n"));
}

TEST_CASE("flows/hello.yml prints routes that name every pea once, as the README shows",
          "[cli][examples][hello]") {
  // flows/hello.yml as it is, but indexing two verses instead of its 11,333-verse corpus (too slow
  // under the sanitizers): its searches take the same path through the same pods.
  jflow::test::TempDir dir("hello-route");
  dir.write("data/kjv.tsv",
            "Psalms 23:1\tThe LORD is my shepherd; I shall not want.\n"
            "Romans 6:23\tFor the wages of sin is death.\n");
  std::ifstream in(jflow::test::source_path("flows/hello.yml"));
  std::string flow((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string queries = "lines: data/queries.txt";
  REQUIRE(flow.find(queries) != std::string::npos);
  flow.replace(flow.find(queries), queries.size(),
               "lines: " + jflow::test::source_path("flows/data/queries.txt"));
  const auto hello = dir.write("hello.yml", flow);
  Outcome out = jflow::test::run_jflow({"run", "--timeout", "20s", hello.string()});
  INFO(out.output);
  CHECK(out.exit_code == 0);
  CHECK_THAT(out.output, Contains("search: 5 requests (5 documents): 5 ok, 0 failed"));
  // One encode replica between its head and tail, both index shards, then the index tail.
  CHECK_THAT(out.output, Contains("ok search ") && Contains(" route=split>encode/head>encode/"));
  CHECK_THAT(out.output,
             Contains(">encode/tail>index/head>index/0>index/1>index/tail>rank>docs | The LORD is "
                      "my shepherd; I shall not want.\n"));
  CHECK_THAT(out.output, !Contains("index/0>split"));
}
