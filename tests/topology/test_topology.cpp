// Flow topologies end to end over real peas: DAG joins, replicas behind a head with credit-based
// load balancing or round robin, shards with polling all and a reducing tail, and replicas or
// shards lost mid-stream.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "topology/topology_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

using namespace jflow::test;

TEST_CASE("a diamond joins both branches of every request", "[topology][join]") {
  FlowSpec spec = flow_from_yaml(
      "  - name: a\n"
      "  - name: b\n    needs: a\n    uses: '- !TagDriver {key: b, value: seen}'\n"
      "  - name: c\n    needs: a\n    uses: '- !TagDriver {key: c, value: seen}'\n"
      "  - name: d\n    needs: [b, c]\n    uses: _merge\n");
  Flow flow(spec, test::test_options());
  flow.start();
  constexpr int kRequests = 1000;
  int correct = 0;
  for (int i = 0; i < kRequests; ++i) {
    std::string id = "doc-" + std::to_string(i);
    flow.submit(doc_request(id), [&, id](Response&& r) {
      if (!r.ok() || r.request.docs.size() != 1) return;
      const Document& doc = r.request.docs[0];
      std::set<std::string> pods;
      for (const Route& route : r.envelope.routes) pods.insert(route.pod);
      if (doc.id == id && doc.tags.count("b") == 1 && doc.tags.count("c") == 1 &&
          pods == std::set<std::string>{"a", "b", "c", "d"})
        ++correct;
    });
  }
  flow.wait_all();
  CHECK(correct == kRequests);
  flow.close();
}

TEST_CASE("without a merge driver a join concatenates the parts' documents", "[topology][join]") {
  FlowSpec spec = flow_from_yaml(
      "  - name: a\n  - name: b\n    needs: a\n  - name: c\n    needs: a\n"
      "  - name: d\n    needs: [b, c]\n");
  Flow flow(spec, test::test_options());
  flow.start();
  Response r = flow.call(doc_request("x"));
  REQUIRE(r.ok());
  CHECK(r.request.docs.size() == 2);
  flow.close();
}

TEST_CASE("a join part that never comes ends the request at the join timeout", "[topology][join]") {
  FlowSpec spec = flow_from_yaml(
      "  - name: a\n"
      "  - name: slow\n    needs: a\n    uses: '- !WaitDriver {duration: 3s}'\n"
      "  - name: quick\n    needs: a\n"
      "  - name: d\n    needs: [slow, quick]\n    join_timeout: 300ms\n");
  Flow flow(spec, test::test_options());
  flow.start();
  // The join gave up on 'slow' (had it waited the 3s for its part, the request would be ok).
  Response r = flow.call(doc_request("x"));
  CHECK(r.status().code == StatusCode::timeout);
  CHECK(r.status().pod == "d");
  CHECK_THAT(r.status().message, Contains("waited in vain") && Contains("'slow'"));
  flow.close();
}

TEST_CASE("credit-based load balancing gives a slow replica only what its credit allows",
          "[topology][replicas]") {
  FlowSpec spec = flow_from_yaml(
      "  - name: w\n    parallel: 4\n    uses: '- !WaitDriver {duration: 50ms, replica: 0}'\n");
  Flow flow(spec, test::test_options());
  flow.start();
  constexpr int kRequests = 2000;
  std::map<std::string, int> served;
  std::vector<Route> slow_stays;  // when w/0 took each of its requests in and sent it on
  int ok = 0;
  for (int i = 0; i < kRequests; ++i) {
    flow.submit(doc_request(std::to_string(i)), [&](Response&& r) {
      ok += r.ok();
      const std::string replica = replica_of(r, "w");
      ++served[replica];
      for (const Route& route : r.envelope.routes) {
        if (route.pea == "w/0") slow_stays.push_back(route);
      }
    });
  }
  flow.wait_all();
  CHECK(ok == kRequests);
  // The slow replica holds at most its credit (16) at a time: at no moment were more than 16 of
  // its requests between taken in and sent on.
  std::vector<std::pair<std::int64_t, int>> edges;  // +1 in, -1 out; an out sorts before an in
  for (const Route& stay : slow_stays) {
    edges.emplace_back(stay.start_ns, +1);
    edges.emplace_back(stay.end_ns, -1);
  }
  std::sort(edges.begin(), edges.end());
  int held = 0, most_held = 0;
  for (const auto& [when, change] : edges) most_held = std::max(most_held, held += change);
  INFO("slow replica served " << served["w/0"] << " of " << kRequests << ", at most " << most_held
                              << " at once");
  CHECK(most_held <= 16);
  CHECK(most_held >= 2);                 // it did hold several at once: the wait does not block it
  CHECK(served["w/0"] < kRequests / 4);  // less than a fair share
  CHECK(served["w/1"] + served["w/2"] + served["w/3"] + served["w/0"] == kRequests);
  flow.close();
}

TEST_CASE("round robin gives each replica its turn", "[topology][replicas]") {
  FlowSpec spec = flow_from_yaml("  - name: r\n    parallel: 4\n    scheduling: round_robin\n");
  // Fewer in flight than one replica's credit (16): no replica ever lacks credit, so no turn is
  // skipped and every replica serves exactly a quarter. The head waits for all four replicas to
  // connect before the flow starts, so the first requests are spread too.
  FlowOptions options = test::test_options();
  options.max_in_flight = 8;
  Flow flow(spec, options);
  flow.start();
  std::map<std::string, int> served;
  for (int i = 0; i < 400; ++i) {
    flow.submit(doc_request(std::to_string(i)), [&](Response&& r) {
      if (r.ok()) ++served[replica_of(r, "r")];
    });
  }
  flow.wait_all();
  REQUIRE(served.size() == 4);
  for (const auto& [replica, count] : served) {
    INFO(replica << " served " << count);
    CHECK(count == 100);
  }
  flow.close();
}

TEST_CASE("polling all: the tail's top-k equals the top-k of the union of the shards",
          "[topology][shards]") {
  DriverRegistry registry = registry_with_shard_matches();
  FlowSpec spec = flow_from_yaml(
      "  - name: index\n    parallel: 3\n    polling: all\n    uses: '- !ShardMatchDriver {}'\n"
      "    uses_after: '- !MergeMatchesDriver {top_k: 5}'\n",
      registry);
  FlowOptions options = test::test_options();
  options.drivers = &registry;
  Flow flow(spec, options);
  flow.start();
  std::vector<std::pair<double, std::string>> all;
  for (std::size_t shard = 0; shard < 3; ++shard) {
    for (std::size_t j = 0; j < 4; ++j) {
      all.emplace_back(shard_score(shard, j),
                       "s" + std::to_string(shard) + "-" + std::to_string(j));
    }
  }
  std::stable_sort(all.begin(), all.end(), [](auto& x, auto& y) { return x.first > y.first; });
  for (int i = 0; i < 50; ++i) {
    Response r = flow.call(doc_request("q" + std::to_string(i)));
    REQUIRE(r.ok());
    REQUIRE(r.request.docs.size() == 1);
    const auto& matches = r.request.docs[0].matches;
    REQUIRE(matches.size() == 5);
    for (std::size_t k = 0; k < 5; ++k) CHECK(matches[k].score == Approx(all[k].first));
  }
  flow.close();
}

TEST_CASE("restart: never: SIGKILL of one of 3 replicas: every request ends and later ones succeed",
          "[topology][replicas][death]") {
  FlowSpec spec = flow_from_yaml(
      "  - name: p\n    parallel: 3\n    runtime: process\n    restart: never\n"
      "    uses: '- !WaitDriver {duration: 5ms}'\n");
  Flow flow(spec, test::test_options());
  flow.start();
  int victim = 0;
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pea == "p/1") victim = pea.pid;
  }
  REQUIRE(victim > 0);
  constexpr int kRequests = 2000;
  int ended = 0, ok = 0;
  std::map<std::string, int> failures;
  for (int i = 0; i < kRequests; ++i) {
    flow.submit(doc_request(std::to_string(i)), [&](Response&& r) {
      ++ended;
      if (r.ok()) {
        ++ok;
      } else {
        ++failures[r.status().message];
      }
    });
    if (i == 300) {
      REQUIRE(test::poll_until(
          flow, [&] { return ok >= 100; }, std::chrono::seconds(10)));
      ::kill(victim, SIGKILL);
    }
  }
  REQUIRE(test::poll_until(
      flow, [&] { return ended == kRequests; }, std::chrono::seconds(20)));
  for (const auto& [message, count] : failures) {
    INFO(count << " x " << message);
    CHECK_THAT(message, Contains("p/1"));
  }
  // Requests the dead replica held had no deadline, so they went to a live replica.
  CHECK(ok == kRequests);
  Response later = flow.call(doc_request("later"));
  CHECK(later.ok());
  bool reported = false;
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pea == "p/1") reported = !pea.alive && Catch::contains(pea.last_error, "signal 9");
  }
  CHECK(reported);
  flow.close();
  CHECK_FALSE(test::process_exists(victim));
}

TEST_CASE("polling all with a lost shard ends requests with an explicit partial-result error",
          "[topology][shards][death]") {
  FlowSpec spec = flow_from_yaml(
      "  - name: s\n    parallel: 3\n    polling: all\n    runtime: process\n"
      "    uses_after: _merge\n    restart: never\n");
  Flow flow(spec, test::test_options());
  flow.start();
  int victim = 0;
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pea == "s/2") victim = pea.pid;
  }
  REQUIRE(flow.call(doc_request("before")).ok());
  ::kill(victim, SIGKILL);
  REQUIRE(test::poll_until(
      flow,
      [&] {
        for (const PeaStatus& pea : flow.status()) {
          if (pea.pea == "s/2") return !pea.alive;
        }
        return false;
      },
      std::chrono::seconds(5)));
  Response after = flow.call(doc_request("after"));
  CHECK(after.status().code == StatusCode::pea_lost);
  CHECK_THAT(after.status().message, Contains("partial result") && Contains("s/2"));
  flow.close();
}
