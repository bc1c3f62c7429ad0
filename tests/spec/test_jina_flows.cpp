// Jina 0.x flow files (tests/flows/jina/) read as the jflow flows they mean: the !Flow tag,
// version '1.0', env:, method: add | needs | inspect, the legacy map of pods, Jina's built-in uses
// names. What cannot run is refused (tests/flows/invalid/jina_*.yml).
#include <catch2/catch.hpp>

#include "jflow/flow_spec.hpp"
#include "spec/spec_test_drivers.hpp"

using namespace jflow;

namespace {

FlowSpec load(const std::string& name) {
  return load_flow_yaml(spec_test::tests_dir() + "/flows/jina/" + name, spec_test::fixed_env({}));
}

const PodSpec& pod_named(const FlowSpec& spec, const std::string& name) {
  for (const PodSpec& pod : spec.pods) {
    if (pod.name == name) return pod;
  }
  FAIL("no pod " << name);
  throw std::logic_error("unreachable");
}

std::string first_kind(const DriverChains& chains) {
  return chains.by_type.at(RequestType::index).front().kind;
}

}  // namespace

TEST_CASE("a Jina v1 flow with method: inspect and needs reads as a jflow DAG", "[jina]") {
  const FlowSpec spec = load("v1_methods.yml");
  REQUIRE(spec.version == 1);
  std::vector<std::string> names;
  for (const PodSpec& pod : spec.pods) names.push_back(pod.name);
  CHECK(names == std::vector<std::string>{"left", "right", "inspect", "joiner"});
  // The inspect pod runs after `right`, and the join takes its output in place of right's.
  CHECK(pod_named(spec, "inspect").needs == std::vector<std::string>{"right"});
  CHECK(first_kind(pod_named(spec, "inspect").drivers) == "LogDriver");  // _logforward
  CHECK(pod_named(spec, "joiner").needs == std::vector<std::string>{"inspect", "left"});
  CHECK(first_kind(pod_named(spec, "joiner").drivers) == "MergeDriver");  // a join merges by id
  // env: feeds ${JINA_WAIT}.
  CHECK(pod_named(spec, "right").drivers.by_type.at(RequestType::index).front().options_yaml ==
        "{duration: 1ms}");
}

TEST_CASE("Jina's legacy map of pods reads in order, gateway being the Flow", "[jina]") {
  const FlowSpec spec = load("legacy_map.yml");
  std::vector<std::string> names;
  for (const PodSpec& pod : spec.pods) names.push_back(pod.name);
  CHECK(names == std::vector<std::string>{"split", "shards", "rank"});
  CHECK(pod_named(spec, "split").needs == std::vector<std::string>{kGateway});
  CHECK(first_kind(pod_named(spec, "split").drivers) == "ForwardDriver");  // _forward
  CHECK(pod_named(spec, "shards").parallel == 2);
  CHECK(first_kind(pod_named(spec, "shards").uses_after) == "MergeDriver");  // _merge_chunks
  CHECK(first_kind(pod_named(spec, "rank").drivers) == "MergeMatchesDriver");
}

TEST_CASE("Jina's version strings: '1' and '1.0' are version 1", "[jina]") {
  for (const char* version : {"1", "'1'", "'1.0'", "1.0"}) {
    INFO(version);
    const FlowSpec spec =
        parse_flow_yaml(std::string("!Flow\nversion: ") + version + "\npods:\n  - name: a\n",
                        "v.yml", spec_test::fixed_env({}));
    CHECK(spec.version == 1);
  }
}
