// The metrics the peas' heartbeats carry: bytes in and out per pea (exact: what one pea sent is
// what the next read, and the gateway counts the ends independently), the requests a pea holds,
// a head's credit per replica; counters that stay monotonic across a restart; promtool accepts
// the text. Every wait polls the flow until the heartbeat figures show up, with a deadline.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "control/control.hpp"
#include "flow/flow_metrics.hpp"
#include "jflow/flow.hpp"
#include "jflow/metrics.hpp"
#include "support/prometheus_text.hpp"
#include "support/test_support.hpp"

using namespace jflow;

namespace {

constexpr auto kHeartbeatWait = std::chrono::seconds(10);

const PeaMetrics* heard_pea(const FlowMetrics& metrics, const std::string& pea) {
  for (const PeaMetrics& p : metrics.peas) {
    if (p.pea == pea) return &p;
  }
  return nullptr;
}

std::string pea_label_set(const std::string& pod, const std::string& pea) {
  return R"(flow="flow",pod=")" + pod + R"(",pea=")" + pea + R"(")";
}

void check_with_promtool(const std::string& text) {
  REQUIRE(std::filesystem::exists(test::kPromtool));  // scripts/setup.sh installs prometheus
  const test::PromtoolResult checked = test::promtool_check(text);
  INFO(checked.output);
  CHECK(checked.exit_code == 0);
}

}  // namespace

TEST_CASE("pea bytes: what a sent is what b read, and the gateway counts both ends",
          "[flow][metrics]") {
  Flow flow(FlowBuilder().add("a").add("b").build(), test::test_options());
  flow.start();
  constexpr int kRequests = 25;
  for (int i = 0; i < kRequests; ++i) {
    // Bodies of different sizes, so that no two totals can agree by chance.
    REQUIRE(flow.call(test::text_request(std::string(static_cast<std::size_t>(i * 7), 'x'))).ok());
  }
  // The gateway counted the frames it sent to a and read from b as they passed; the peas' figures
  // arrive with their next heartbeats. Each pea's must then equal its neighbours' exactly.
  FlowMetrics m;
  const auto settled = [&] {
    m = flow.metrics();
    const PeaMetrics* a = heard_pea(m, "a");
    const PeaMetrics* b = heard_pea(m, "b");
    return a != nullptr && b != nullptr && a->received_bytes == m.sent_bytes &&
           a->sent_bytes == b->received_bytes && b->sent_bytes == m.received_bytes;
  };
  REQUIRE(test::poll_until(flow, settled, kHeartbeatWait));
  const PeaMetrics& a = *heard_pea(m, "a");
  const PeaMetrics& b = *heard_pea(m, "b");
  INFO("gateway sent " << m.sent_bytes << ", a " << a.received_bytes << "/" << a.sent_bytes
                       << ", b " << b.received_bytes << "/" << b.sent_bytes << ", gateway read "
                       << m.received_bytes);
  CHECK(m.sent_bytes > 0);
  // Each pea adds its route entry to the envelope: what it sends is larger than what it read.
  CHECK(a.sent_bytes > a.received_bytes);
  CHECK(b.sent_bytes > b.received_bytes);
  CHECK(a.in_flight == 0);
  CHECK(b.in_flight == 0);
  CHECK_FALSE(a.credit);  // not a replica

  const std::string text = prometheus_text(m);
  INFO(text);
  CHECK(test::sample_value(text, "jflow_pea_received_bytes_total", pea_label_set("a", "a")) ==
        static_cast<double>(m.sent_bytes));
  CHECK(test::sample_value(text, "jflow_pea_sent_bytes_total", pea_label_set("b", "b")) ==
        static_cast<double>(m.received_bytes));
  CHECK(test::sample_value(text, "jflow_pea_in_flight_requests", pea_label_set("a", "a")) == 0);
  check_with_promtool(text);
  flow.close();
}

TEST_CASE("pea in flight: a WaitDriver pea reports the requests it holds", "[flow][metrics]") {
  FlowOptions options = test::test_options();
  options.close_timeout = std::chrono::milliseconds(100);  // the held requests then end closed
  Flow flow(FlowBuilder().add("slow", "- !WaitDriver {duration: 60s}").build(), options);
  flow.start();
  constexpr std::uint64_t kHeld = 3;
  std::vector<Response> ended;
  for (std::uint64_t i = 0; i < kHeld; ++i) {
    flow.submit(test::text_request(std::to_string(i)),
                [&ended](Response&& r) { ended.push_back(std::move(r)); });
  }
  FlowMetrics m;
  REQUIRE(test::poll_until(
      flow,
      [&] {
        m = flow.metrics();
        const PeaMetrics* slow = heard_pea(m, "slow");
        return slow != nullptr && slow->in_flight == kHeld;
      },
      kHeartbeatWait));
  CHECK(m.in_flight == kHeld);
  CHECK(ended.empty());
  const PeaMetrics& slow = *heard_pea(m, "slow");
  CHECK(slow.received_bytes == m.sent_bytes);  // read them all
  CHECK(slow.sent_bytes == 0);                 // sent none on yet
  const std::string text = prometheus_text(m);
  INFO(text);
  CHECK(test::sample_value(text, "jflow_pea_in_flight_requests", pea_label_set("slow", "slow")) ==
        kHeld);
  check_with_promtool(text);
  flow.close();
  CHECK(ended.size() == kHeld);  // ended by the close, none lost
}

TEST_CASE("replica credits: a head reports each replica's credit and what they hold",
          "[flow][metrics]") {
  FlowOptions options = test::test_options();
  options.close_timeout = std::chrono::milliseconds(100);
  Flow flow(FlowBuilder().add("c", "- !WaitDriver {duration: 60s}").parallel(2).build(), options);
  flow.start();
  const std::uint64_t window = static_cast<std::uint64_t>(PeaConfig{}.window);
  FlowMetrics m;
  const auto credits = [&m] {
    std::uint64_t total = 0;
    for (const std::string replica : {"c/0", "c/1"}) {
      const PeaMetrics* pea = heard_pea(m, replica);
      if (pea == nullptr || !pea->credit) return std::uint64_t{0};
      total += *pea->credit;
    }
    return total;
  };
  // Idle: each replica has given its whole window.
  REQUIRE(test::poll_until(
      flow,
      [&] {
        m = flow.metrics();
        return credits() == 2 * window;
      },
      kHeartbeatWait));
  CHECK(*heard_pea(m, "c/0")->credit == window);
  CHECK(*heard_pea(m, "c/1")->credit == window);

  // Three requests held by the replicas: three credits fewer, and the head holds them for them.
  constexpr std::uint64_t kHeld = 3;
  std::vector<Response> ended;
  for (std::uint64_t i = 0; i < kHeld; ++i) {
    flow.submit(test::text_request(std::to_string(i)),
                [&ended](Response&& r) { ended.push_back(std::move(r)); });
  }
  REQUIRE(test::poll_until(
      flow,
      [&] {
        m = flow.metrics();
        const PeaMetrics* r0 = heard_pea(m, "c/0");
        const PeaMetrics* r1 = heard_pea(m, "c/1");
        return credits() == 2 * window - kHeld && r0 != nullptr && r1 != nullptr &&
               r0->in_flight + r1->in_flight == kHeld;
      },
      kHeartbeatWait));
  const PeaMetrics* head = heard_pea(m, "c/head");
  REQUIRE(head != nullptr);
  CHECK(head->in_flight == kHeld);  // the same heartbeat as the credits
  CHECK_FALSE(head->credit);
  // What the head sent its replicas is what they read.
  CHECK(head->sent_bytes > 0);
  CHECK(head->sent_bytes ==
        heard_pea(m, "c/0")->received_bytes + heard_pea(m, "c/1")->received_bytes);

  const std::string text = prometheus_text(m);
  INFO(text);
  CHECK(test::sample_value(text, "jflow_replica_credits", pea_label_set("c", "c/0")) ==
        static_cast<double>(*heard_pea(m, "c/0")->credit));
  CHECK_FALSE(test::sample_value(text, "jflow_replica_credits", pea_label_set("c", "c/head")));
  check_with_promtool(text);
  flow.close();
  CHECK(ended.size() == kHeld);
}

TEST_CASE("pea byte counters stay monotonic across a restart", "[flow][metrics]") {
  detail::MetricsRegistry registry("flow");
  const auto bytes_of = [&registry] {
    const FlowMetrics m = registry.snapshot();
    REQUIRE(m.peas.size() == 1);
    return std::pair{m.peas[0].received_bytes, m.peas[0].sent_bytes};
  };
  registry.on_heartbeat("p", "p", {100, 150, 2, {}});
  registry.on_heartbeat("p", "p", {300, 450, 1, {}});
  CHECK(bytes_of() == std::pair<std::uint64_t, std::uint64_t>{300, 450});
  // The restarted pea counts from 0: its totals add to what the dead one had reported.
  registry.on_restart("p", "p");
  CHECK(bytes_of() == std::pair<std::uint64_t, std::uint64_t>{300, 450});
  CHECK(registry.snapshot().peas[0].in_flight == 0);
  registry.on_heartbeat("p", "p", {40, 60, 0, {}});
  CHECK(bytes_of() == std::pair<std::uint64_t, std::uint64_t>{340, 510});
  // A new incarnation whose restart was not seen (its totals went back) is added on too.
  registry.on_heartbeat("p", "p", {10, 20, 0, {}});
  CHECK(bytes_of() == std::pair<std::uint64_t, std::uint64_t>{350, 530});
  CHECK(registry.snapshot().peas[0].restarts == 1);
}
