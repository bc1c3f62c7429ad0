// A 3-pod linear flow over every transport and runtime: every request comes back, in one piece,
// having passed every pod in order.
#include <catch2/catch.hpp>

#include "support/test_support.hpp"

using namespace jflow;

namespace {

void run_three_pods(Transport transport, Runtime runtime) {
  FlowSpec spec = FlowBuilder()
                      .transport(transport)
                      .add("first", "_pass", runtime)
                      .add("second", "- !ForwardDriver {}", runtime)
                      .add("third", "_pass", runtime)
                      .build();
  Flow flow(spec, test::test_options());
  flow.start();
  constexpr int kRequests = 200;
  int ok = 0;
  int routed = 0;
  for (int i = 0; i < kRequests; ++i) {
    flow.submit(test::text_request("doc " + std::to_string(i)), [&, i](Response&& r) {
      if (r.ok() && r.request.docs.size() == 1 &&
          r.request.docs[0].text == "doc " + std::to_string(i))
        ++ok;
      if (r.envelope.routes.size() == 3 && r.envelope.routes[0].pod == "first" &&
          r.envelope.routes[1].pod == "second" && r.envelope.routes[2].pod == "third")
        ++routed;
    });
  }
  flow.wait_all();
  CHECK(ok == kRequests);
  CHECK(routed == kRequests);
  for (const PeaStatus& pea : flow.status()) {
    CHECK(pea.alive);
    CHECK(pea.runtime == runtime_name(runtime));
    CHECK(pea.endpoint.rfind(std::string(transport_name(transport)) + "://", 0) == 0);
  }
  flow.close();
}

}  // namespace

TEST_CASE("three pass-through pods over inproc with thread peas", "[integration][flow]") {
  run_three_pods(Transport::inproc, Runtime::thread);
}

TEST_CASE("three pass-through pods over ipc", "[integration][flow]") {
  auto runtime = GENERATE(Runtime::thread, Runtime::process);
  run_three_pods(Transport::ipc, runtime);
}

TEST_CASE("three pass-through pods over tcp", "[integration][flow]") {
  auto runtime = GENERATE(Runtime::thread, Runtime::process);
  run_three_pods(Transport::tcp, runtime);
}

TEST_CASE("routes record each pea with ordered timestamps", "[integration][flow]") {
  Flow flow(FlowBuilder().add("a").add("b").build(), test::test_options());
  flow.start();
  Response r = flow.call(test::text_request("x"));
  REQUIRE(r.ok());
  REQUIRE(r.envelope.routes.size() == 2);
  for (const Route& route : r.envelope.routes) CHECK(route.start_ns <= route.end_ns);
  CHECK(r.envelope.routes[0].end_ns <= r.envelope.routes[1].start_ns);
  flow.close();
}
