// The HTTP endpoint's limits and error replies (issue 16, "limits on every input"): a body past
// max_body_bytes is a 413 with a JSON body naming the limit and the server keeps serving, an
// unknown path is a JSON 404, a known path with the wrong method a 405 with Allow, and a 503
// carries Retry-After.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <string>

#include "base/clock.hpp"
#include "jflow/client.hpp"
#include "serve/serve_support.hpp"

using namespace jflow;

TEST_CASE("HTTP: a body past max_body_bytes is a JSON 413 and the server keeps serving",
          "[serve][http][limits]") {
  serve::ServeOptions options = test::any_port_options();
  options.http.max_body_bytes = 1024;
  test::ServerThread served(test::one_pod_flow("echo"), options);
  httplib::Client http(served.endpoints().http);
  const std::string big = R"({"data": [")" + std::string(4096, 'x') + R"("]})";
  auto refused = http.Post("/index", big, "application/json");
  REQUIRE(refused);
  CHECK(refused->status == 413);
  CHECK_THAT(refused->body, Catch::Contains("limit of 1024 bytes"));
  CHECK(refused->get_header_value("Content-Type") == "application/json");
  auto served_after = http.Post("/index", R"({"data": ["small"]})", "application/json");
  REQUIRE(served_after);
  CHECK(served_after->status == 200);
}

TEST_CASE("HTTP: unknown paths are a JSON 404, wrong methods a 405 with Allow",
          "[serve][http][limits]") {
  test::ServerThread served(test::one_pod_flow("echo"));
  httplib::Client http(served.endpoints().http);
  auto missing = http.Get("/nowhere");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK_THAT(missing->body, Catch::Contains("no endpoint GET /nowhere"));
  auto wrong = http.Get("/search");
  REQUIRE(wrong);
  CHECK(wrong->status == 405);
  CHECK(wrong->get_header_value("Allow") == "POST");
  CHECK_THAT(wrong->body, Catch::Contains("/search takes POST, not GET"));
  auto wrong_health = http.Post("/health", "", "application/json");
  REQUIRE(wrong_health);
  CHECK(wrong_health->status == 405);
  CHECK(wrong_health->get_header_value("Allow") == "GET");
}

TEST_CASE("HTTP: a 503 while closing carries Retry-After", "[serve][http][limits]") {
  test::ServerThread served(test::one_pod_flow("slow", "- !WaitDriver {duration: 300ms}"));
  httplib::Client http(served.endpoints().http);
  // A request in flight keeps the drain open while /health is asked.
  Client holding(served.endpoints().zmq);
  holding.submit(test::text_request("held"), [](Response&&) {});
  REQUIRE(holding.ping().in_flight == 1);
  served.stop();
  const SteadyTime give_up = steady_now() + std::chrono::seconds(10);
  while (steady_now() < give_up) {
    auto answer = http.Get("/health");
    if (!answer) break;  // closed already: the drain ended first
    if (answer->status == 503) {
      CHECK(answer->get_header_value("Retry-After") == "1");
      return;
    }
  }
  FAIL("no 503 with Retry-After seen while the server drained");
}
