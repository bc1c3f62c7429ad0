// `uses` naming an executor: by kind, as a tagged map with with/metas/requests, as text, and as an
// executor YAML file; the errors each form gives; and FlowBuilder giving the same spec.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "jflow/flow_spec.hpp"
#include "spec/spec_test_drivers.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

using jflow::test::TempDir;

namespace {

FlowSpec parse_pods(const std::string& pods, const std::string& file = "/flows/inline.yml") {
  return parse_flow_yaml("version: 1\npods:\n" + pods, file, test::no_env);
}

std::vector<std::string> kinds(const std::vector<DriverSpec>& chain) {
  std::vector<std::string> result;
  for (const DriverSpec& driver : chain) result.push_back(driver.kind);
  return result;
}

}  // namespace

TEST_CASE("uses: an executor kind gives the executor with its default drivers",
          "[executors][uses]") {
  const PodSpec pod = parse_pods("  - name: vec\n    uses: VectorIndexer\n").pods.at(0);
  REQUIRE(pod.executor);
  CHECK(pod.executor->kind == "VectorIndexer");
  CHECK(pod.executor->name == "vec");
  CHECK(pod.executor->with_yaml == "{}");
  CHECK(pod.executor->workspace.empty());
  CHECK(kinds(pod.drivers.by_type.at(RequestType::index)) ==
        std::vector<std::string>{"VectorIndexDriver"});
  CHECK(kinds(pod.drivers.by_type.at(RequestType::search)) ==
        std::vector<std::string>{"VectorSearchDriver"});
}

TEST_CASE("uses: a tagged executor map sets with, metas and requests", "[executors][uses]") {
  const FlowSpec spec = parse_pods(
      "  - name: vec\n"
      "    uses: !VectorIndexer\n"
      "      with: {metric: l2}\n"
      "      metas: {name: vectors, workspace: ws}\n"
      "      requests:\n"
      "        search: [!VectorSearchDriver {level: root, top_k: 3}]\n");
  const PodSpec& pod = spec.pods.at(0);
  REQUIRE(pod.executor);
  CHECK(pod.executor->with_yaml == "{metric: l2}");
  CHECK(pod.executor->name == "vectors");
  CHECK(pod.executor->workspace == std::filesystem::path("/flows/ws"));
  CHECK(kinds(pod.drivers.by_type.at(RequestType::search)) ==
        std::vector<std::string>{"VectorSearchDriver"});
  // Types the requests leave out forward unchanged.
  CHECK(kinds(pod.drivers.by_type.at(RequestType::index)) ==
        std::vector<std::string>{"ForwardDriver"});
}

TEST_CASE("the flow's workspace is every executor's default", "[executors][uses]") {
  const FlowSpec spec =
      parse_flow_yaml("version: 1\nworkspace: state\npods:\n  - name: docs\n    uses: DocStore\n",
                      "/srv/flow.yml", test::no_env);
  CHECK(spec.workspace == std::filesystem::path("/srv/state"));
  CHECK(spec.pods.at(0).executor->workspace == std::filesystem::path("/srv/state"));
}

TEST_CASE("uses: an executor YAML file, relative to the flow file", "[executors][uses]") {
  TempDir dir("uses");
  dir.write("indexer.yml", "!VectorIndexer\nwith:\n  metric: l2\nmetas:\n  workspace: idx\n");
  const std::string flow = (dir.path() / "flow.yml").string();
  const PodSpec pod = parse_pods("  - name: vec\n    uses: indexer.yml\n", flow).pods.at(0);
  REQUIRE(pod.executor);
  CHECK(pod.executor->kind == "VectorIndexer");
  CHECK(pod.executor->with_yaml == "{metric: l2}");
  CHECK(pod.executor->workspace == dir.path() / "idx");

  dir.write("typo.yml", "!VectorIndexer\nwith:\n  metirc: l2\n");
  CHECK_THAT(
      spec_test::spec_error_of([&] { parse_pods("  - name: vec\n    uses: typo.yml\n", flow); }),
      Contains((dir.path() / "typo.yml").string() + ":3:3: unknown option 'metirc'") &&
          Contains("did you mean 'metric'"));
  dir.write("kind.yml", "!VectorIndexr {}\n");
  CHECK_THAT(
      spec_test::spec_error_of([&] { parse_pods("  - name: vec\n    uses: kind.yml\n", flow); }),
      Contains("unknown executor 'VectorIndexr'") && Contains("VectorIndexer"));
  dir.write("untagged.yml", "with: {metric: l2}\n");
  CHECK_THAT(spec_test::spec_error_of(
                 [&] { parse_pods("  - name: vec\n    uses: untagged.yml\n", flow); }),
             Contains("an executor file starts with its kind"));
  CHECK_THAT(
      spec_test::spec_error_of([&] { parse_pods("  - name: vec\n    uses: missing.yml\n", flow); }),
      Contains("flow.yml:4:11: uses: no executor file"));
}

TEST_CASE("uses: executor text, as Jina wrote it, equals the tagged map", "[executors][uses]") {
  const PodSpec text =
      parse_pods("  - name: vec\n    uses: '!VectorIndexer {with: {metric: l2}}'\n").pods.at(0);
  const PodSpec map =
      parse_pods("  - name: vec\n    uses: !VectorIndexer {with: {metric: l2}}\n").pods.at(0);
  REQUIRE(text.executor);
  CHECK(*text.executor == *map.executor);
  CHECK(text.drivers == map.drivers);
}

TEST_CASE("executor errors name the place and the near miss", "[executors][uses]") {
  CHECK_THAT(
      spec_test::spec_error_of([] { parse_pods("  - name: vec\n    uses: VectorIndexr\n"); }),
      Contains("inline.yml:4:11: unknown uses 'VectorIndexr'") &&
          Contains("did you mean 'VectorIndexer'"));
  CHECK_THAT(spec_test::spec_error_of([] {
               parse_pods("  - name: vec\n    uses: !VectorIndexer {with: {metric: cosin}}\n");
             }),
             Contains("inline.yml:4:42: metric must be cosine or l2, got 'cosin'"));
  CHECK_THAT(spec_test::spec_error_of([] {
               parse_pods("  - name: vec\n    uses: !VectorIndexer {metas: {nmae: x}}\n");
             }),
             Contains("unknown key 'nmae' in metas") && Contains("did you mean 'name'"));
  CHECK_THAT(spec_test::spec_error_of(
                 [] { parse_pods("  - name: vec\n    uses: !VectorIndexer {wiht: {}}\n"); }),
             Contains("unknown key 'wiht'") && Contains("did you mean 'with'"));
}

TEST_CASE("FlowBuilder resolves executors like the YAML does", "[executors][uses][builder]") {
  const FlowSpec built = FlowBuilder()
                             .add("split", "SentenceSplitter")
                             .add("vec", "!VectorIndexer {with: {metric: l2}}")
                             .build();
  const FlowSpec parsed = parse_pods(
      "  - name: split\n    uses: SentenceSplitter\n"
      "  - name: vec\n    uses: !VectorIndexer {with: {metric: l2}}\n");
  REQUIRE(built.pods.size() == 2);
  CHECK(built.pods[0].executor == parsed.pods[0].executor);
  CHECK(built.pods[1].executor == parsed.pods[1].executor);
  CHECK(built.pods[1].drivers == parsed.pods[1].drivers);
}
