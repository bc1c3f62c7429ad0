// Flows whose pods run on other hosts: three network-namespace hosts (VirtualHosts), a
// `jflow daemon` in each, the orchestrator in this process. A search flow spread over them with
// CURVE answers exactly like the same flow on one machine; a host killed or cut off mid-stream
// ends its requests with errors naming the host, and close still returns.
// Needs root (network namespaces); without, each test passes with a warning saying why.
#include <catch2/catch.hpp>

#include <fstream>

#include "support/fault_run.hpp"
#include "support/host_daemons.hpp"
#include "support/test_support.hpp"
#include "support/virtual_hosts.hpp"

using namespace jflow;
using Catch::Matchers::Contains;
using test::start_daemons;
using test::VirtualHosts;

namespace {

// Indexes `docs`, then searches every 10th one's text; returns the ids of each query's matches.
std::vector<std::vector<std::string>> index_and_search(FlowSpec spec,
                                                       const std::vector<Document>& docs) {
  Flow flow(std::move(spec), test::test_options());
  flow.start();
  for (std::size_t i = 0; i < docs.size(); i += 50) {
    Request request;
    request.type = RequestType::index;
    for (std::size_t j = i; j < std::min(docs.size(), i + 50); ++j) request.docs.push_back(docs[j]);
    const Response response = flow.call(std::move(request));
    REQUIRE(response.ok());
  }
  Request query;
  query.type = RequestType::search;
  query.parameters["top_k"] = std::int64_t{3};
  for (std::size_t i = 0; i < docs.size(); i += 10) {
    Document doc;
    doc.text = docs[i].text;
    query.docs.push_back(std::move(doc));
  }
  const Response response = flow.call(std::move(query));
  REQUIRE(response.ok());
  flow.close();
  std::vector<std::vector<std::string>> ids;
  for (const Document& doc : response.request.docs) {
    auto& list = ids.emplace_back();
    for (const Document& match : doc.matches) list.push_back(match.id);
  }
  return ids;
}

// The search flow of tests/integration/test_search_flows.cpp; `placement` adds flow-level keys
// and `host_of(pod)` gives each pod's host: line (empty: this machine).
std::string search_flow(const std::string& placement,
                        const std::function<std::string(const char*)>& host_of) {
  const auto pod = [&](const char* name, const char* uses, const char* extra = "") {
    std::string text = std::string("  - name: ") + name + "\n    uses: " + uses + "\n" + extra;
    if (std::string host = host_of(name); !host.empty()) text += "    host: " + host + "\n";
    return text;
  };
  return "version: 1\n" + placement + "pods:\n" + pod("split", "SentenceSplitter") +
         pod("encode", "FeatureHashEncoder") +
         pod("index", "VectorIndexer",
             "    parallel: 2\n    polling: all\n"
             "    uses_after: '- !MergeMatchesDriver {level: chunks, top_k: 50}'\n") +
         pod("rank", "ChunkRanker") + pod("docs", "DocStore");
}

FlowBuilder pass_chain(const std::string& orchestrator, const std::vector<std::string>& daemons) {
  FlowBuilder builder;
  builder.host(orchestrator)
      .add("first", "_pass")
      .pod_host(daemons[0])
      .add("middle", "- !WaitDriver {duration: 1ms}")
      .pod_host(daemons[1])
      .add("last", "_pass")
      .pod_host(daemons[2]);
  return builder;
}

}  // namespace

TEST_CASE("a search flow over three hosts with CURVE answers like the same flow on one host",
          "[multihost][curve]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  VirtualHosts hosts(3);
  test::KeyFolder keys;
  keys.make("orchestrator");
  const std::vector<std::string> daemons = start_daemons(hosts, &keys);
  std::string placement = "host: " + hosts.orchestrator_address() +
                          "\ncurve:\n  key: " + keys.secret("orchestrator").string() +
                          "\n  hosts:\n";
  for (std::size_t i = 0; i < daemons.size(); ++i) {
    placement += "    " + daemons[i] + ": " + keys.pub("h" + std::to_string(i)).string() + "\n";
  }
  // split and docs on host 0, encode on host 1, the two index shards on host 2; rank stays here.
  const auto spread = [&](const char* pod) -> std::string {
    const std::string name = pod;
    if (name == "split" || name == "docs") return daemons[0];
    if (name == "encode") return daemons[1];
    if (name == "index") return daemons[2];
    return "";
  };
  const std::vector<Document> docs = test::hello_verses(300);
  const auto across = index_and_search(
      parse_flow_yaml(search_flow(placement, spread), "spread.yml", test::no_env), docs);
  const auto here = index_and_search(
      parse_flow_yaml(search_flow("", [](const char*) { return ""; }), "here.yml", test::no_env),
      docs);
  REQUIRE(across.size() == 30);
  CHECK(across == here);
  for (std::size_t q = 0; q < across.size(); ++q) {
    REQUIRE_FALSE(across[q].empty());
  }
}

TEST_CASE("a host killed or cut off mid-stream: its requests end naming it, close returns",
          "[multihost][death]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  const bool cut = GENERATE(false, true);  // SIGKILL everything on the host, or a partition
  INFO((cut ? "host cut off" : "host killed"));
  VirtualHosts hosts(3);
  const std::vector<std::string> daemons = start_daemons(hosts, nullptr);
  FlowOptions options = test::test_options();
  options.heartbeat_timeout = std::chrono::seconds(1);
  Flow flow(pass_chain(hosts.orchestrator_address(), daemons).build(), options);
  flow.start();
  const std::string message = test::run_through_fault(flow, 400, [&] {
    if (cut) {
      hosts.cut_host(1);
    } else {
      hosts.kill_host(1);
    }
  });
  CHECK_THAT(message, Contains("pea 'middle'") && Contains("on host " + daemons[1]));
  // Close does not wait out the stop grace for the peas it knows are lost with their host.
  flow.close();
  CHECK(test::peas_killed_at_close(flow).empty());
}

TEST_CASE("a daemon on another host refuses an orchestrator key it does not list",
          "[multihost][curve]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  VirtualHosts hosts(1);
  test::KeyFolder keys;
  keys.make("orchestrator");  // the key the daemon allows
  keys.make("impostor");      // the key this orchestrator uses
  const std::vector<std::string> daemons = start_daemons(hosts, &keys);
  FlowSpec spec = FlowBuilder()
                      .host(hosts.orchestrator_address())
                      .add("remote", "_pass")
                      .pod_host(daemons[0])
                      .curve_key(keys.secret("impostor"))
                      .host_key(daemons[0], keys.pub("h0"))
                      .build();
  Flow flow(spec, test::test_options());
  CHECK_THROWS_WITH(flow.start(),
                    Contains("refused by the daemon at " + daemons[0]) && Contains("pea 'remote'"));
}
