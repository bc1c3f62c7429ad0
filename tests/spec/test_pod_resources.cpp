// A pod's `resources:` (what `jflow export` writes as a container's requests and limits): read
// into PodSpec, and every malformed form refused with file:line:col.
#include <catch2/catch.hpp>

#include <string>

#include "jflow/flow_spec.hpp"
#include "jflow/spec_error.hpp"

using Catch::Contains;

namespace {

std::string resources_flow(const std::string& resources) {
  return "version: 1\npods:\n  - name: enc\n    resources: " + resources + "\n";
}

std::string resources_refusal(const std::string& yaml) {
  try {
    (void)jflow::parse_flow_yaml(yaml, "res.yml");
  } catch (const jflow::SpecError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("resources: requests and limits are read as written", "[spec][resources]") {
  const jflow::FlowSpec spec = jflow::parse_flow_yaml(
      resources_flow("{requests: {cpu: 250m, memory: 64Mi}, limits: {cpu: \"1.5\", memory: 1Gi}}"),
      "res.yml");
  const jflow::PodResources& resources = spec.pods.at(0).resources;
  CHECK(resources.cpu_request == "250m");
  CHECK(resources.memory_request == "64Mi");
  CHECK(resources.cpu_limit == "1.5");
  CHECK(resources.memory_limit == "1Gi");
  CHECK(jflow::parse_flow_yaml(resources_flow("{limits: {memory: 512M}}"), "res.yml")
            .pods[0]
            .resources.cpu_request.empty());
  CHECK(jflow::parse_flow_yaml("version: 1\npods:\n  - name: a\n", "res.yml")
            .pods[0]
            .resources.empty());
}

TEST_CASE("resources: malformed forms are refused with file:line:col",
          "[spec][resources][bad-input]") {
  std::string what = resources_refusal(resources_flow("2"));
  CHECK_THAT(what, Contains("res.yml:4:16") && Contains("resources: expected a map"));
  what = resources_refusal(resources_flow("{request: {cpu: 1}}"));
  CHECK_THAT(what, Contains("res.yml:4:") && Contains("'request'") && Contains("requests"));
  what = resources_refusal(resources_flow("{requests: {cpu: lots}}"));
  CHECK_THAT(what, Contains("res.yml:4:") && Contains("cpu: expected a Kubernetes quantity") &&
                       Contains("'lots'"));
  what = resources_refusal(resources_flow("{limits: {memory: 1GB}}"));
  CHECK_THAT(what,
             Contains("memory: expected a Kubernetes quantity like 256Mi") && Contains("'1GB'"));
  what = resources_refusal(resources_flow("{limits: {gpu: 1}}"));
  CHECK_THAT(what, Contains("unknown key 'gpu'"));
  what = resources_refusal(resources_flow("{limits: [1]}"));
  CHECK_THAT(what, Contains("resources: limits: expected a map"));
}
