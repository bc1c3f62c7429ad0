// build_flow_graph: how each pod expands into peas and how the peas connect, for a linear flow,
// a diamond, a parallel polling-any pod and a polling-all pod; and the graph checks on specs made
// without the parser.
#include <catch2/catch.hpp>

#include "spec/flow_graph.hpp"
#include "spec/spec_test_drivers.hpp"

using namespace std::chrono_literals;
using namespace jflow;
using spec_test::stub_drivers;
using Names = std::vector<std::string>;

namespace {

FlowGraph graph_of(const std::string& yaml) {
  return build_flow_graph(
      parse_flow_yaml(yaml, "graph.yml", spec_test::fixed_env({}), stub_drivers()));
}

Names pea_names(const FlowGraph& graph) {
  Names names;
  for (const PeaPlan& pea : graph.peas) names.push_back(pea.name);
  return names;
}

const PeaPlan& pea(const FlowGraph& graph, std::string_view name) {
  const PeaPlan* found = graph.find_pea(name);
  INFO("pea " << name);
  REQUIRE(found != nullptr);
  return *found;
}

std::vector<DriverSpec> index_chain(const DriverChains& chains) {
  const auto found = chains.by_type.find(RequestType::index);
  return found == chains.by_type.end() ? std::vector<DriverSpec>{} : found->second;
}

}  // namespace

TEST_CASE("a linear flow is a chain of single peas from gateway to gateway", "[flow_graph]") {
  const FlowGraph graph =
      graph_of("version: 1\npods:\n  - name: a\n  - name: b\n    uses: _log\n  - name: c\n");
  CHECK(pea_names(graph) == Names{"a", "b", "c"});
  CHECK(graph.entry_pods == Names{"a"});
  CHECK(graph.sink_pod == "c");
  CHECK(pea(graph, "a").role == PeaRole::single);
  CHECK(pea(graph, "a").downstream == Names{"b"});
  CHECK(pea(graph, "b").downstream == Names{"c"});
  CHECK(pea(graph, "c").downstream == Names{kGateway});
  CHECK(pea(graph, "b").join_from.empty());
  CHECK(pea(graph, "b").head.empty());
  CHECK(index_chain(pea(graph, "b").drivers) == std::vector<DriverSpec>{{"LogDriver", "{}", {}}});
  REQUIRE(graph.find_pod("b") != nullptr);
  CHECK(graph.find_pod("b")->entry == "b");
  CHECK(graph.find_pod("b")->exit == "b");
  CHECK(graph.find_pod("b")->needs == Names{"a"});
  CHECK(graph.find_pod("a")->needs == Names{kGateway});
  CHECK(graph.find_pod("nope") == nullptr);
  CHECK(graph.find_pea("a/head") == nullptr);
}

TEST_CASE("a diamond fans out to two pods and joins them in the last", "[flow_graph]") {
  const FlowGraph graph = graph_of(
      "version: 1\npods:\n  - name: a\n  - name: b\n  - name: c\n    needs: a\n"
      "  - name: d\n    needs: [b, c]\n    uses: _merge\n");
  CHECK(pea_names(graph) == Names{"a", "b", "c", "d"});
  CHECK(pea(graph, "a").downstream == Names{"b", "c"});  // a copy to each, in spec order
  CHECK(pea(graph, "b").downstream == Names{"d"});
  CHECK(pea(graph, "c").downstream == Names{"d"});
  CHECK(pea(graph, "d").join_from == Names{"b", "c"});
  CHECK(pea(graph, "d").downstream == Names{kGateway});
  CHECK(graph.entry_pods == Names{"a"});
  CHECK(graph.sink_pod == "d");
}

TEST_CASE("two pods that need the gateway both get each request", "[flow_graph]") {
  const FlowGraph graph = graph_of(
      "version: 1\npods:\n  - name: left\n  - name: right\n    needs: gateway\n"
      "  - name: join\n    needs: [left, right]\n");
  CHECK(graph.entry_pods == Names{"left", "right"});
  CHECK(pea(graph, "join").join_from == Names{"left", "right"});
}

TEST_CASE("parallel with polling any: head, replicas, tail without a join", "[flow_graph]") {
  const FlowGraph graph = graph_of(
      "version: 1\npods:\n  - name: enc\n    parallel: 3\n    runtime: process\n"
      "    scheduling: round_robin\n    uses: '- !WaitDriver {duration: 1ms}'\n"
      "    uses_before: _log\n  - name: out\n");
  CHECK(pea_names(graph) == Names{"enc/head", "enc/0", "enc/1", "enc/2", "enc/tail", "out"});
  const PodPlan& pod = *graph.find_pod("enc");
  CHECK(pod.parallel == 3);
  CHECK(pod.polling == Polling::any);
  CHECK(pod.scheduling == Scheduling::round_robin);
  CHECK(pod.entry == "enc/head");
  CHECK(pod.exit == "enc/tail");

  const PeaPlan& head = pea(graph, "enc/head");
  CHECK(head.role == PeaRole::head);
  CHECK(head.pod == "enc");
  CHECK(head.runtime == Runtime::process);
  CHECK(head.downstream.empty());
  CHECK(head.join_from.empty());
  CHECK(index_chain(head.drivers) == std::vector<DriverSpec>{{"LogDriver", "{}", {}}});
  for (std::size_t i = 0; i < 3; ++i) {
    const PeaPlan& replica = pea(graph, "enc/" + std::to_string(i));
    CHECK(replica.role == PeaRole::replica);
    CHECK(replica.replica == i);
    CHECK(replica.head == "enc/head");
    CHECK(replica.downstream == Names{"enc/tail"});
    CHECK(replica.runtime == Runtime::process);
    CHECK(index_chain(replica.drivers) ==
          std::vector<DriverSpec>{{"WaitDriver", "{duration: 1ms}", {}}});
  }
  const PeaPlan& tail = pea(graph, "enc/tail");
  CHECK(tail.role == PeaRole::tail);
  CHECK(tail.join_from.empty());
  CHECK(tail.drivers.by_type.empty());  // no uses_after: the tail forwards
  CHECK(tail.downstream == Names{"out"});
  CHECK(pea(graph, "out").downstream == Names{kGateway});
}

TEST_CASE("parallel with polling all: the tail joins every shard and reduces", "[flow_graph]") {
  const FlowGraph graph = graph_of(
      "version: 1\npods:\n  - name: a\n  - name: b\n    needs: gateway\n"
      "  - name: idx\n    needs: [a, b]\n    parallel: 2\n    polling: all\n"
      "    uses_after: _merge_matches\n");
  CHECK(pea_names(graph) == Names{"a", "b", "idx/head", "idx/0", "idx/1", "idx/tail"});
  CHECK(pea(graph, "a").downstream == Names{"idx/head"});
  CHECK(pea(graph, "idx/head").join_from == Names{"a", "b"});  // the pod's join is at its entry
  CHECK(pea(graph, "idx/tail").join_from == Names{"idx/0", "idx/1"});
  CHECK(pea(graph, "idx/tail").downstream == Names{kGateway});
  CHECK(index_chain(pea(graph, "idx/tail").drivers) ==
        std::vector<DriverSpec>{{"MergeMatchesDriver", "{}", {}}});
  CHECK(graph.find_pod("idx")->polling == Polling::all);
  CHECK(graph.sink_pod == "idx");
}

TEST_CASE("a spec made by hand gets the implicit needs and the same checks", "[flow_graph]") {
  FlowSpec spec;
  spec.source = "hand";
  for (const char* name : {"a", "b"}) {
    PodSpec pod;
    pod.name = name;
    spec.pods.push_back(pod);
  }
  const FlowGraph graph = build_flow_graph(spec);
  CHECK(graph.find_pod("b")->needs == Names{"a"});
  CHECK(pea(graph, "a").downstream == Names{"b"});

  spec.pods[1].needs = {"b"};
  CHECK_THROWS_WITH(build_flow_graph(spec), "pod 'b' needs itself");
  spec.pods[1].needs = {"a"};
  spec.pods[1].parallel = 2;
  spec.pods[1].polling = Polling::all;
  CHECK_THROWS_WITH(build_flow_graph(spec), Catch::Contains("polling: all needs a reducer"));
  spec.pods[1].polling = Polling::any;
  spec.pods.push_back(spec.pods[0]);
  CHECK_THROWS_WITH(build_flow_graph(spec), "duplicate pod name 'a'");
}
