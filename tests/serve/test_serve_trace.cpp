// Trace context on the served fronts: the HTTP traceparent header, the ZeroMQ envelope field.
#include <catch2/catch.hpp>

#include <httplib.h>

#include "jflow/client.hpp"
#include "serve/serve_support.hpp"
#include "wire/traceparent.hpp"

using namespace jflow;
using Catch::Matchers::Contains;
using jflow::test::ServerThread;

namespace {
constexpr const char* kTrace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
}

TEST_CASE("HTTP: the traceparent header comes back - absent, one is made - malformed: 400",
          "[serve][http][trace]") {
  ServerThread served(test::one_pod_flow("a"));
  httplib::Client http(served.endpoints().http);
  http.set_read_timeout(std::chrono::seconds(20));
  auto traced = http.Post("/index", {{"traceparent", kTrace}},
                          R"({"data": ["x", "y"], "request_size": 1})", "application/json");
  REQUIRE(traced);
  CHECK(traced->status == 200);
  CHECK(traced->get_header_value("traceparent") == kTrace);

  auto plain = http.Post("/index", R"({"data": ["x"]})", "application/json");
  REQUIRE(plain);
  CHECK(plain->status == 200);
  const std::string made = plain->get_header_value("traceparent");
  INFO(made);
  CHECK_FALSE(traceparent_problem(made));

  auto bad =
      http.Post("/index", {{"traceparent", "00-abc-01"}}, R"({"data": ["x"]})", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK_THAT(bad->body, Contains("traceparent header: malformed"));
}

TEST_CASE("ZeroMQ: the envelope's traceparent comes back - a malformed one is refused by id",
          "[serve][zmq][trace]") {
  ServerThread served(test::one_pod_flow("a"));
  Client client(served.endpoints().zmq);
  Request traced = test::text_request("x");
  traced.traceparent = kTrace;
  Response r = client.call(traced);
  REQUIRE(r.ok());
  CHECK(r.envelope.traceparent == kTrace);

  Response plain = client.call(test::text_request("y"));
  REQUIRE(plain.ok());
  CHECK_FALSE(traceparent_problem(plain.envelope.traceparent));

  Request bad = test::text_request("z");
  bad.traceparent = "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01";
  Response refused = client.call(bad);
  CHECK(refused.status().code == StatusCode::bad_request);
  CHECK_THAT(refused.status().message, Contains("traceparent: the parent id is all zeros"));
}
