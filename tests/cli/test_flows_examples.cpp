// The example flows in flows/ as a user runs them: `jflow run flows/NAME.yml` through the binary,
// with the input the flow declares; every request must succeed and show the topology in its route.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <array>
#include <cstdio>
#include <string>

#include "support/run_jflow.hpp"
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

TEST_CASE("flows/hello.yml runs: each query's route names every pea once, as the README shows",
          "[cli][examples][hello]") {
  Outcome out = run_example("hello.yml");
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
