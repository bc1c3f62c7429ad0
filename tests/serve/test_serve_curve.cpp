// A served flow's ZeroMQ endpoint with CURVE (--zmq-key/--zmq-allow): a listed client is served,
// a client with another key or without CURVE never gets in.
#include <catch2/catch.hpp>

#include "jflow/client.hpp"
#include "serve/serve_support.hpp"
#include "support/local_daemon.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

TEST_CASE("a CURVE endpoint serves the clients it lists and no other", "[serve][curve]") {
  test::KeyFolder keys;
  const CurveKeyPair server_key = keys.make("server");
  const CurveKeyPair listed = keys.make("listed");
  const CurveKeyPair stranger = keys.make("stranger");
  serve::ServeOptions options = test::any_port_options();
  options.http_address = "off";
  options.zmq_key = server_key;
  options.zmq_allowed = {listed.public_key};
  test::ServerThread server(test::one_pod_flow("echo"), options);
  const std::string endpoint = server.endpoints().zmq;

  ClientOptions good;
  good.curve_key = listed;
  good.server_key = server_key.public_key;
  Client client(endpoint, good);
  REQUIRE(client.ping().ok);
  const Response reply = client.call(test::text_request("secret words"));
  REQUIRE(reply.ok());
  REQUIRE(reply.request.docs.size() == 1);
  CHECK(reply.request.docs[0].text == "secret words");

  ClientOptions wrong = good;
  wrong.curve_key = stranger;
  const PingResult refused = Client(endpoint, wrong).ping(std::chrono::milliseconds(500));
  CHECK_FALSE(refused.ok);
  CHECK_THAT(refused.error, Contains("no reply"));

  const PingResult plain = Client(endpoint).ping(std::chrono::milliseconds(500));
  CHECK_FALSE(plain.ok);

  // The listed client is still served after the refusals.
  CHECK(client.call(test::text_request("again")).ok());
}
