// Several pods that need the gateway: each gets every request, and their parts meet again
// wherever the graph joins them. Several exits are refused when the flow is read.
#include <catch2/catch.hpp>

#include <set>

#include "topology/topology_support.hpp"

using namespace jflow;
using namespace jflow::test;
using Catch::Matchers::Contains;

namespace {

std::set<std::string> pods_on_route(const Response& response) {
  std::set<std::string> pods;
  for (const Route& route : response.envelope.routes) pods.insert(route.pod);
  return pods;
}

}  // namespace

TEST_CASE("two entry pods each get every request and join in the last pod", "[topology][entry]") {
  FlowSpec spec = flow_from_yaml(
      "  - name: a\n    needs: gateway\n    uses: '- !TagDriver {key: a, value: seen}'\n"
      "  - name: b\n    needs: gateway\n    uses: '- !TagDriver {key: b, value: seen}'\n"
      "  - name: d\n    needs: [a, b]\n    uses: _merge\n");
  Flow flow(spec, test_options());
  flow.start();
  constexpr int kRequests = 500;
  int correct = 0, ended = 0;
  for (int i = 0; i < kRequests; ++i) {
    std::string id = "doc-" + std::to_string(i);
    flow.submit(doc_request(id), [&, id](Response&& r) {
      ++ended;
      if (!r.ok() || r.request.docs.size() != 1) return;
      const Document& doc = r.request.docs[0];
      if (doc.id == id && doc.tags.count("a") == 1 && doc.tags.count("b") == 1 &&
          pods_on_route(r) == std::set<std::string>{"a", "b", "d"})
        ++correct;
    });
  }
  flow.wait_all();
  CHECK(ended == kRequests);
  CHECK(correct == kRequests);
  flow.close();
}

TEST_CASE("entry pods of every shape: a parallel pod, a chain and a lone pod join in one",
          "[topology][entry]") {
  // `x` has replicas (the gateway sends to its head), `y` starts a chain y -> y2, `z` is alone;
  // `out` joins the three. Process peas, so the gateway's copies cross tcp.
  FlowSpec spec = flow_from_yaml(
      "  - name: x\n    needs: gateway\n    parallel: 2\n    runtime: process\n"
      "    uses: '- !TagDriver {key: x, value: seen}'\n"
      "  - name: y\n    needs: gateway\n    runtime: process\n"
      "  - name: y2\n    uses: '- !TagDriver {key: y, value: seen}'\n"
      "  - name: z\n    needs: gateway\n    uses: '- !TagDriver {key: z, value: seen}'\n"
      "  - name: out\n    needs: [x, y2, z]\n    uses: _merge\n");
  Flow flow(spec, test_options());
  flow.start();
  for (int i = 0; i < 50; ++i) {
    std::string id = "q" + std::to_string(i);
    Response r = flow.call(doc_request(id), std::chrono::seconds(5));
    REQUIRE(r.ok());
    REQUIRE(r.request.docs.size() == 1);
    const Document& doc = r.request.docs[0];
    CHECK(doc.id == id);
    CHECK(doc.tags.count("x") == 1);
    CHECK(doc.tags.count("y") == 1);
    CHECK(doc.tags.count("z") == 1);
    CHECK(pods_on_route(r) == std::set<std::string>{"x", "y", "y2", "z", "out"});
  }
  flow.close();
}

TEST_CASE("an entry pod that fails ends the request with its error at the join",
          "[topology][entry]") {
  FlowSpec spec = flow_from_yaml(
      "  - name: a\n    needs: gateway\n"
      "  - name: b\n    needs: gateway\n    uses: '- !FailDriver {message: b broke}'\n"
      "  - name: d\n    needs: [a, b]\n    uses: _merge\n");
  Flow flow(spec, test_options());
  flow.start();
  Response r = flow.call(doc_request("x"), std::chrono::seconds(5));
  CHECK(r.status().code == StatusCode::error);
  CHECK(r.status().pod == "b");
  CHECK_THAT(r.status().message, Contains("b broke"));
  CHECK(flow.call(doc_request("y"), std::chrono::seconds(5)).status().code == StatusCode::error);
  flow.close();
}

TEST_CASE("entry pods that never meet again are refused: a flow has one exit",
          "[topology][entry]") {
  try {
    flow_from_yaml(
        "  - name: a\n    needs: gateway\n"
        "  - name: b\n    needs: gateway\n"
        "  - name: c\n    needs: a\n");
    FAIL("a flow with two exits was accepted");
  } catch (const SpecError& e) {
    CHECK(e.where().line == 5);
    CHECK_THAT(e.message(), Contains("pod 'b' is dangling"));
  }
}
