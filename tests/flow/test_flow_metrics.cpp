// Flow::metrics() and prometheus_text(): the counts equal the requests sent and how they ended,
// per flow and per pea, exactly; the text passes promtool; label values are escaped.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "flow/flow_metrics.hpp"
#include "jflow/flow.hpp"
#include "jflow/metrics.hpp"
#include "support/prometheus_text.hpp"
#include "support/test_support.hpp"

using namespace jflow;

namespace {

std::uint64_t count_of(const std::vector<RequestCount>& counts, RequestType type,
                       const std::string& status) {
  std::uint64_t total = 0;
  for (const RequestCount& count : counts) {
    if (count.type == type && count.status == status) total += count.count;
  }
  return total;
}

const PeaMetrics* pea_of(const FlowMetrics& metrics, const std::string& pea) {
  for (const PeaMetrics& p : metrics.peas) {
    if (p.pea == pea) return &p;
  }
  return nullptr;
}

std::string pea_labels(const std::string& pod, const std::string& pea, const std::string& type,
                       const std::string& status) {
  return R"(flow="flow",pod=")" + pod + R"(",pea=")" + pea + R"(",type=")" + type +
         R"(",status=")" + status + R"(")";
}

}  // namespace

TEST_CASE("metrics count every request exactly, per flow, per pea and status", "[flow][metrics]") {
  // a → b (fails every 3rd request) → c (two replicas, which skip the failed ones).
  FlowSpec spec = FlowBuilder()
                      .add("a")
                      .add("b", "- !FailDriver {message: no, every: 3}")
                      .add("c")
                      .parallel(2)
                      .build();
  Flow flow(spec, test::test_options());
  flow.start();
  constexpr int kOk = 20, kFailed = 10;
  int ok = 0, failed = 0;
  std::map<std::string, int> replica_ok, replica_skipped;  // from the replies' own routes
  for (int i = 0; i < kOk + kFailed; ++i) {
    Response r = flow.call(
        test::text_request(std::to_string(i), i % 2 ? RequestType::search : RequestType::index));
    (r.ok() ? ok : failed) += 1;
    for (const Route& route : r.envelope.routes) {
      if (route.pea == "c/0" || route.pea == "c/1")
        (r.ok() ? replica_ok : replica_skipped)[route.pea]++;
    }
  }
  REQUIRE(ok == kOk);
  REQUIRE(failed == kFailed);

  const FlowMetrics m = flow.metrics();
  CHECK(m.flow == "flow");
  CHECK(m.accepted == kOk + kFailed);
  CHECK(m.refused == 0);
  CHECK(m.expired == 0);
  CHECK(m.in_flight == 0);
  CHECK(m.sent_bytes > 0);
  CHECK(m.received_bytes > 0);
  std::uint64_t flow_ok = 0, flow_error = 0;
  for (RequestType type : {RequestType::index, RequestType::search}) {
    flow_ok += count_of(m.requests, type, "ok");
    flow_error += count_of(m.requests, type, "error");
  }
  CHECK(flow_ok == kOk);
  CHECK(flow_error == kFailed);
  CHECK(m.requests.size() == 4);  // index and search, each ok and error: nothing else

  const auto total = [](const PeaMetrics* pea, const std::string& status) {
    REQUIRE(pea != nullptr);
    return count_of(pea->requests, RequestType::index, status) +
           count_of(pea->requests, RequestType::search, status);
  };
  CHECK(total(pea_of(m, "a"), "ok") == kOk + kFailed);
  CHECK(total(pea_of(m, "b"), "ok") == kOk);
  CHECK(total(pea_of(m, "b"), "error") == kFailed);
  CHECK(total(pea_of(m, "c/head"), "ok") == kOk);
  CHECK(total(pea_of(m, "c/head"), "skipped") == kFailed);
  CHECK(total(pea_of(m, "c/tail"), "skipped") == kFailed);
  for (const std::string replica : {"c/0", "c/1"}) {
    if (replica_ok[replica] + replica_skipped[replica] == 0) continue;  // the other took all
    INFO(replica);
    CHECK(total(pea_of(m, replica), "ok") == std::uint64_t(replica_ok[replica]));
    CHECK(total(pea_of(m, replica), "skipped") == std::uint64_t(replica_skipped[replica]));
  }
  const PeaMetrics& b = *pea_of(m, "b");
  CHECK(b.processing.count == kOk + kFailed);
  CHECK(b.queued.count == kOk + kFailed);
  std::uint64_t in_buckets = 0;
  for (std::uint64_t n : b.processing.bucket_counts) in_buckets += n;
  CHECK(in_buckets == kOk + kFailed);
  CHECK(b.processing.bucket_counts.size() == b.processing.upper_bounds.size() + 1);

  // The same figures in the text, read back by name and labels.
  const std::string text = prometheus_text(m);
  INFO(text);
  const int index_failed = kFailed / 2;  // requests 2, 5, 8, … fail: half index, half search
  CHECK(test::sample_value(text, "jflow_requests_total",
                           R"(flow="flow",type="index",status="error")") == index_failed);
  CHECK(test::sample_value(text, "jflow_requests_accepted_total", R"(flow="flow")") ==
        kOk + kFailed);
  CHECK(test::sample_value(text, "jflow_pea_requests_total",
                           pea_labels("b", "b", "search", "error")) == kFailed - index_failed);
  CHECK(test::sample_value(text, "jflow_pea_requests_total",
                           pea_labels("c", "c/tail", "index", "ok")) ==
        count_of(pea_of(m, "c/tail")->requests, RequestType::index, "ok"));
  CHECK(test::sample_value(text, "jflow_pea_processing_seconds_count",
                           R"(flow="flow",pod="b",pea="b")") == kOk + kFailed);
  CHECK(test::sample_value(text, "jflow_pea_processing_seconds_bucket",
                           R"(flow="flow",pod="b",pea="b",le="+Inf")") == kOk + kFailed);

  REQUIRE(std::filesystem::exists(test::kPromtool));  // scripts/setup.sh installs prometheus
  const test::PromtoolResult checked = test::promtool_check(text);
  INFO(checked.output);
  CHECK(checked.exit_code == 0);
  flow.close();
}

TEST_CASE("metrics: expired and refused requests are counted by the flow", "[flow][metrics]") {
  Flow flow(FlowBuilder().add("slow", "- !WaitDriver {duration: 30s}").build(),
            test::test_options());
  flow.start();
  Response r = flow.call(test::text_request("x"), std::chrono::milliseconds(100));
  REQUIRE(r.status().code == StatusCode::timeout);
  const FlowMetrics m = flow.metrics();
  CHECK(m.accepted == 1);
  CHECK(m.expired == 1);
  CHECK(m.in_flight == 0);
  CHECK(count_of(m.requests, RequestType::index, "timeout") == 1);
  // No reply came: no request to count for the pea (its heartbeats may have named it already).
  for (const PeaMetrics& pea : m.peas) CHECK(pea.requests.empty());
  flow.close();
}

TEST_CASE("metrics off: nothing is counted", "[flow][metrics]") {
  FlowOptions options = test::test_options();
  options.metrics = false;
  Flow flow(FlowBuilder().transport(Transport::inproc).add("a").build(), options);
  flow.start();
  REQUIRE(flow.call(test::text_request("x")).ok());
  const FlowMetrics m = flow.metrics();
  CHECK(m.accepted == 0);
  CHECK(m.requests.empty());
  CHECK(m.peas.empty());
  flow.close();
}

TEST_CASE("prometheus_text escapes label values - promtool accepts the text", "[flow][metrics]") {
  FlowMetrics m;
  m.flow = "a \"quoted\" back\\slash\nnewline";
  m.requests.push_back({RequestType::index, "ok", 3});
  PeaMetrics pea;
  pea.pod = "p\"od";
  pea.pea = "p\"od/0";
  pea.requests.push_back({RequestType::train, "skipped", 2});
  pea.processing.upper_bounds = {0.001, 1};
  pea.processing.bucket_counts = {1, 2, 3};
  pea.processing.sum_seconds = 12.5;
  pea.processing.count = 6;
  pea.queued.upper_bounds = {0.5};
  pea.queued.bucket_counts = {0, 0};
  m.peas.push_back(pea);
  const std::string text = prometheus_text(m);
  INFO(text);
  const std::string flow = R"(flow="a \"quoted\" back\\slash\nnewline")";
  CHECK(test::sample_value(text, "jflow_requests_total", flow + R"(,type="index",status="ok")") ==
        3);
  const std::string labels = flow + R"(,pod="p\"od",pea="p\"od/0")";
  CHECK(test::sample_value(text, "jflow_pea_requests_total",
                           labels + R"(,type="train",status="skipped")") == 2);
  // Buckets are cumulative in the text.
  CHECK(test::sample_value(text, "jflow_pea_processing_seconds_bucket",
                           labels + R"(,le="0.001")") == 1);
  CHECK(test::sample_value(text, "jflow_pea_processing_seconds_bucket", labels + R"(,le="1")") ==
        3);
  CHECK(test::sample_value(text, "jflow_pea_processing_seconds_bucket", labels + R"(,le="+Inf")") ==
        6);
  CHECK(test::sample_value(text, "jflow_pea_processing_seconds_sum", labels) == 12.5);
  REQUIRE(std::filesystem::exists(test::kPromtool));  // scripts/setup.sh installs prometheus
  const test::PromtoolResult checked = test::promtool_check(text);
  INFO(checked.output);
  CHECK(checked.exit_code == 0);
}

TEST_CASE("the registry counts each hop at its own pea when routes change between replies",
          "[flow][metrics]") {
  // The registry remembers the last route's peas by position: routes that differ from one reply
  // to the next (replicas taking turns, longer and shorter ones) must still count every pea.
  jflow::detail::MetricsRegistry registry("test");
  const auto reply = [&registry](std::vector<std::string> peas) {
    jflow::Envelope envelope;
    for (const std::string& name : peas)
      envelope.routes.push_back({name.substr(0, 1), name, 10, 20});
    registry.on_reply(envelope, 5, 100);
  };
  reply({"a0", "b0"});
  reply({"a1", "b0"});
  reply({"a0", "b0", "c0"});
  reply({"a1"});
  reply({"a0", "b0"});
  std::map<std::string, std::uint64_t> counted;
  for (const jflow::PeaMetrics& pea : registry.snapshot().peas) {
    for (const jflow::RequestCount& count : pea.requests) counted[pea.pea] += count.count;
  }
  CHECK(counted ==
        std::map<std::string, std::uint64_t>{{"a0", 3}, {"a1", 2}, {"b0", 4}, {"c0", 1}});
}
