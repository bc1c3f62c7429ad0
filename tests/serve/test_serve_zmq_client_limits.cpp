// What one ZeroMQ connection may ask of the server (issue 16, item 3): at most
// zmq_requests_per_client requests in flight, never two with the same id, and parameters the
// server knows (top_k) checked where the request enters, over ZeroMQ and HTTP alike: a
// bad_request from pod gateway naming the field, not an error from inside a pod.
#include <catch2/catch.hpp>

#include <httplib.h>

#include "jflow/codec.hpp"
#include "serve/raw_zmq_client.hpp"
#include "serve/serve_support.hpp"

using Catch::Matchers::Contains;
using namespace jflow;
using jflow::test::RawClient;
using jflow::test::ServerThread;

namespace {

// A pod that holds each request for a while, so that several are in flight at once.
FlowSpec two_second_hold_flow() {
  return test::one_pod_flow("hold", "- !WaitDriver {duration: 2s}");
}

std::vector<std::string> request_frames(const std::string& id, Request request) {
  Envelope envelope;
  envelope.request_id = id;
  envelope.type = request.type;
  return {encode_envelope(envelope), encode_body(request)};
}

std::vector<std::string> index_frames(const std::string& id) {
  return request_frames(id, test::text_request(id));
}

}  // namespace

TEST_CASE("ZeroMQ: a request id already in flight on the connection is refused",
          "[serve][zmq][limits]") {
  ServerThread served(two_second_hold_flow());
  RawClient client(served.endpoints().zmq);
  client.send(index_frames("same"));
  client.send(index_frames("same"));
  auto refused = client.receive();
  REQUIRE(refused);
  CHECK(refused->first.request_id == "same");
  CHECK(refused->first.status.code == StatusCode::bad_request);
  CHECK(refused->first.status.pod == "gateway");
  CHECK_THAT(refused->first.status.message,
             Contains("request id 'same' is already in flight on this connection"));
  auto served_first = client.receive();
  REQUIRE(served_first);
  CHECK(served_first->first.status.ok());
  // Once it ended, the id may be used again; another connection may use it at any time.
  RawClient other(served.endpoints().zmq);
  other.send(index_frames("same"));
  client.send(index_frames("same"));
  auto again = client.receive();
  REQUIRE(again);
  CHECK(again->first.status.ok());
  auto others = other.receive();
  REQUIRE(others);
  CHECK(others->first.status.ok());
}

TEST_CASE("ZeroMQ: past zmq_requests_per_client in flight a request is refused, others served",
          "[serve][zmq][limits]") {
  serve::ServeOptions options = test::any_port_options();
  options.zmq_requests_per_client = 2;
  ServerThread served(two_second_hold_flow(), options);
  RawClient greedy(served.endpoints().zmq);
  for (const char* id : {"a", "b", "c"}) greedy.send(index_frames(id));
  auto refused = greedy.receive();
  REQUIRE(refused);
  CHECK(refused->first.request_id == "c");
  CHECK(refused->first.status.code == StatusCode::bad_request);
  CHECK_THAT(
      refused->first.status.message,
      Contains("this connection has 2 requests in flight already (zmq_requests_per_client)"));
  RawClient modest(served.endpoints().zmq);
  modest.send(index_frames("m"));
  auto modest_reply = modest.receive();
  REQUIRE(modest_reply);
  CHECK(modest_reply->first.status.ok());
  int ok = 0;
  for (int i = 0; i < 2; ++i) {
    auto reply = greedy.receive();
    REQUIRE(reply);
    ok += reply->first.status.ok() ? 1 : 0;
  }
  CHECK(ok == 2);
  // With its requests ended the connection may send again.
  greedy.send(index_frames("d"));
  auto later = greedy.receive();
  REQUIRE(later);
  CHECK(later->first.status.ok());
}

TEST_CASE("ZeroMQ: top_k that is not an integer from 1 to 100000 is a bad_request at the gateway",
          "[serve][zmq][limits]") {
  ServerThread served(test::one_pod_flow("echo"));
  RawClient client(served.endpoints().zmq);
  const std::vector<std::pair<Value, std::string>> cases = {
      {std::int64_t{0}, "got 0"},
      {std::int64_t{-1}, "got -1"},
      {std::string("3"), "got string"},
      {std::int64_t{1} << 62, "got 4611686018427387904"},
      {2.5, "got float"},
      {true, "got bool"}};
  for (const auto& [top_k, got] : cases) {
    Request request = test::text_request("q", RequestType::search);
    request.parameters["top_k"] = top_k;
    client.send(request_frames("q", request));
    auto reply = client.receive();
    REQUIRE(reply);
    CHECK(reply->first.status.code == StatusCode::bad_request);
    CHECK(reply->first.status.pod == "gateway");
    CHECK_THAT(reply->first.status.message,
               Contains("parameters.top_k: expected an integer from 1 to 100000") && Contains(got));
  }
  Request fine = test::text_request("q", RequestType::search);
  fine.parameters["top_k"] = std::int64_t{3};
  client.send(request_frames("fine", fine));
  auto reply = client.receive();
  REQUIRE(reply);
  CHECK(reply->first.status.ok());
}

TEST_CASE("HTTP: a bad top_k is a 400 naming the field, never a 500", "[serve][http][limits]") {
  ServerThread served(test::one_pod_flow("echo"));
  httplib::Client http(served.endpoints().http);
  for (const std::string top_k : {"0", "-1", "\"3\"", "4611686018427387904", "1e400", "2.5"}) {
    auto answer =
        http.Post("/search", R"({"data": ["q"], "top_k": )" + top_k + "}", "application/json");
    REQUIRE(answer);
    INFO("top_k " << top_k << ": " << answer->body);
    CHECK(answer->status == 400);
    CHECK_THAT(answer->body, Contains("bad_request") && Contains("top_k"));
  }
}
