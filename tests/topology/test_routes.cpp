// A reply's route is the path its request took: each pea it passed named once, in an order where
// every pea comes after the peas before it on its path, each with its own timings. Where a request
// parted — the shards of a polling-all pod, the branches of a join — the parts' shared hops appear
// once and each part's own hops keep their times.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "topology/topology_support.hpp"

using namespace jflow;
using namespace jflow::test;

namespace {

std::vector<std::string> peas_of(const Response& response) {
  std::vector<std::string> peas;
  for (const Route& route : response.envelope.routes) peas.push_back(route.pea);
  return peas;
}

const Route& hop(const Response& response, const std::string& pea) {
  const auto& routes = response.envelope.routes;
  auto it = std::find_if(routes.begin(), routes.end(),
                         [&](const Route& route) { return route.pea == pea; });
  REQUIRE(it != routes.end());
  return *it;
}

// Each hop began after the hops it came from had sent the request on, and ended after it began.
void check_after(const Response& response, const std::string& pea,
                 const std::vector<std::string>& before) {
  const Route& self = hop(response, pea);
  CHECK(self.start_ns <= self.end_ns);
  for (const std::string& earlier : before) {
    INFO(earlier << " then " << pea);
    CHECK(hop(response, earlier).end_ns <= self.start_ns);
  }
}

}  // namespace

TEST_CASE("a polling-all pod's route names its head, each shard and its tail once",
          "[topology][shards][routes]") {
  // Each shard holds the request for a while of its own (shard i waits only when it is replica
  // i), so the shards' timings differ and the test can tell each one was kept.
  FlowSpec spec = flow_from_yaml(
      "  - name: a\n"
      "  - name: s\n    parallel: 3\n    polling: all\n"
      "    uses: '- !WaitDriver {duration: 20ms, replica: 1}'\n"
      "    uses_after: '- !MergeMatchesDriver {top_k: 5}'\n"
      "  - name: z\n");
  Flow flow(spec, test::test_options());
  flow.start();
  for (int i = 0; i < 20; ++i) {
    Response r = flow.call(doc_request("q" + std::to_string(i)));
    REQUIRE(r.ok());
    CHECK(peas_of(r) ==
          std::vector<std::string>{"a", "s/head", "s/0", "s/1", "s/2", "s/tail", "z"});
    check_after(r, "s/head", {"a"});
    for (const std::string shard : {"s/0", "s/1", "s/2"}) check_after(r, shard, {"s/head"});
    check_after(r, "s/tail", {"s/0", "s/1", "s/2"});
    check_after(r, "z", {"s/tail"});
    // The shard that waited shows its own wait: its entry is its own, not a copy of another's.
    const Route& waited = hop(r, "s/1");
    CHECK(waited.end_ns - waited.start_ns >= 20'000'000);
  }
  flow.close();
}

TEST_CASE("a diamond's route names the fork, both branches and the join once",
          "[topology][join][routes]") {
  FlowSpec spec = flow_from_yaml(
      "  - name: a\n"
      "  - name: b\n    needs: a\n"
      "  - name: c\n    needs: a\n"
      "  - name: d\n    needs: [b, c]\n    uses: _merge\n");
  Flow flow(spec, test::test_options());
  flow.start();
  for (int i = 0; i < 20; ++i) {
    Response r = flow.call(doc_request("q" + std::to_string(i)));
    REQUIRE(r.ok());
    // The branches in the order of their sending pea's name, as the join orders its parts.
    CHECK(peas_of(r) == std::vector<std::string>{"a", "b", "c", "d"});
    check_after(r, "b", {"a"});
    check_after(r, "c", {"a"});
    check_after(r, "d", {"b", "c"});
  }
  flow.close();
}

TEST_CASE("joins within joins: a sharded branch of a diamond names every pea once",
          "[topology][join][shards][routes]") {
  // a forks to b and to the sharded s; d joins b with s's tail. s's shards part and meet again
  // at s/tail, and that merged part meets b's at d.
  FlowSpec spec = flow_from_yaml(
      "  - name: a\n"
      "  - name: b\n    needs: a\n"
      "  - name: s\n    needs: a\n    parallel: 2\n    polling: all\n"
      "    uses_after: '- !MergeMatchesDriver {top_k: 5}'\n"
      "  - name: d\n    needs: [b, s]\n    uses: _merge\n");
  Flow flow(spec, test::test_options());
  flow.start();
  Response r = flow.call(doc_request("q"));
  REQUIRE(r.ok());
  CHECK(peas_of(r) == std::vector<std::string>{"a", "b", "s/head", "s/0", "s/1", "s/tail", "d"});
  check_after(r, "s/tail", {"s/0", "s/1"});
  check_after(r, "d", {"b", "s/tail"});
  flow.close();
}
