// The HTTP endpoint of a served flow, in-process: index then search through a real search flow,
// /status, /health, bad bodies, and the drain (closing → 503, accepted requests still answered).
#include <catch2/catch.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "jflow/client.hpp"
#include "serve/serve_support.hpp"

using Catch::Matchers::Contains;
using namespace jflow;
using jflow::test::ServerThread;
using nlohmann::json;

namespace {

FlowSpec search_flow() {
  return parse_flow_yaml(
      "version: 1\ntransport: inproc\npods:\n"
      "  - {name: split, uses: SentenceSplitter}\n"
      "  - {name: encode, uses: !FeatureHashEncoder {with: {dim: 256, ngrams: 2}}}\n"
      "  - {name: index, uses: VectorIndexer}\n"
      "  - {name: rank, uses: ChunkRanker}\n"
      "  - {name: docs, uses: DocStore}\n",
      "search.yml");
}

json post(httplib::Client& http, const std::string& path, const std::string& body,
          int expected_status) {
  auto result = http.Post(path, body, "application/json");
  REQUIRE(result);
  INFO(path << " " << body << " -> " << result->body);
  CHECK(result->status == expected_status);
  return json::parse(result->body);
}

}  // namespace

TEST_CASE("HTTP: index then search through a real flow, status and health", "[serve][http]") {
  ServerThread served(search_flow());
  httplib::Client http(served.endpoints().http);
  http.set_read_timeout(std::chrono::seconds(20));

  json indexed = post(http, "/index",
                      R"({"docs": [
        {"id": "ps23", "text": "The LORD is my shepherd; I shall not want.", "tags": {"book": "Psalms", "verse": 1}},
        {"id": "jn11", "text": "Jesus wept."},
        {"id": "jn1", "text": "In the beginning was the Word, and the Word was with God."}],
       "request_size": 2})",
                      200);
  CHECK(indexed["status"]["code"] == "ok");
  CHECK(indexed["requests"] == 2);
  REQUIRE(indexed["docs"].size() == 3);
  CHECK(indexed["docs"][0]["id"] == "ps23");
  CHECK(indexed["docs"][0]["tags"]["book"] == "Psalms");
  CHECK(indexed["docs"][0]["tags"]["verse"] == 1);
  CHECK_FALSE(indexed["docs"][0]["chunks"].empty());

  json found = post(http, "/search", R"({"data": ["the LORD my shepherd"], "top_k": 2})", 200);
  CHECK(found["status"]["code"] == "ok");
  REQUIRE(found["docs"].size() == 1);
  const json& matches = found["docs"][0]["matches"];
  REQUIRE_FALSE(matches.empty());
  CHECK(matches.size() <= 2);
  CHECK(matches[0]["id"] == "ps23");
  CHECK(matches[0]["text"] == "The LORD is my shepherd; I shall not want.");
  CHECK(matches[0]["score"].get<double>() > 0.0);

  auto status = http.Get("/status");
  REQUIRE(status);
  CHECK(status->status == 200);
  json state = json::parse(status->body);
  CHECK(state["state"] == "running");
  REQUIRE(state["pods"].size() == 5);
  CHECK(state["pods"][0]["name"] == "split");
  CHECK(state["pods"][0]["peas"][0]["state"] == "running");
  CHECK(state["served"] == 3);
  CHECK(state["in_flight"] == 0);

  auto health = http.Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
}

TEST_CASE("HTTP: a bad body is a 400 naming the field", "[serve][http][bad-input]") {
  ServerThread served(test::one_pod_flow("pass"));
  httplib::Client http(served.endpoints().http);
  const auto message = [&](const std::string& body) {
    json reply = post(http, "/index", body, 400);
    CHECK(reply["status"]["code"] == "bad_request");
    return reply["status"]["message"].get<std::string>();
  };
  CHECK_THAT(message("{\"data\": [\"a\""), Contains("invalid JSON"));
  CHECK_THAT(message("[1, 2]"), Contains("expected an object, got array"));
  CHECK_THAT(message("{}"), Contains("needs data"));
  CHECK_THAT(message(R"({"data": "text"})"), Contains("data: expected an array"));
  CHECK_THAT(message(R"({"data": ["ok", 3]})"), Contains("data[1]: expected a string"));
  CHECK_THAT(message(R"({"docs": [{"id": 5}]})"), Contains("docs[0].id: expected a string"));
  CHECK_THAT(message(R"({"docs": [{"colour": "red"}]})"), Contains("docs[0].colour"));
  CHECK_THAT(message(R"({"docs": [{"tags": {"t": [1]}}]})"),
             Contains("docs[0].tags.t: expected a number, string, bool or null"));
  CHECK_THAT(message(R"({"data": [], "top_k": -1})"), Contains("top_k"));
  CHECK_THAT(message(R"({"data": [], "request_size": 0})"), Contains("request_size"));
  CHECK_THAT(message(R"({"data": [], "docs": []})"), Contains("not both"));
  CHECK_THAT(message(R"({"data": [], "topk": 3})"), Contains("topk: unknown key"));
  // Still serving.
  json ok = post(http, "/index", R"({"data": ["fine"]})", 200);
  CHECK(ok["docs"][0]["text"] == "fine");
}

TEST_CASE("closing: new requests are refused, accepted ones are answered, then it stops",
          "[serve][http][drain]") {
  ServerThread served(test::one_pod_flow("slow", "- !WaitDriver {duration: 500ms}"));
  httplib::Client http(served.endpoints().http);
  Client client(served.endpoints().zmq);
  int ok = 0, failed = 0;
  for (int i = 0; i < 10; ++i) {
    client.submit(test::text_request("held " + std::to_string(i)),
                  [&](Response&& r) { r.ok() ? ++ok : ++failed; });
  }
  // The ping travels behind the ten on the same connection: when it answers, they are accepted.
  PingResult accepted = client.ping();
  REQUIRE(accepted.ok);
  CHECK(accepted.in_flight == 10);

  served.stop();
  const SteadyTime give_up = steady_now() + std::chrono::seconds(5);
  int health_status = 0;
  while (steady_now() < give_up) {
    auto health = http.Get("/health");
    REQUIRE(health);
    health_status = health->status;
    if (health_status == 503) break;
  }
  REQUIRE(health_status == 503);

  json refused = post(http, "/index", R"({"data": ["too late"]})", 503);
  CHECK(refused["status"]["message"] == "the flow is closing");
  Response late = client.call(test::text_request("too late"));
  CHECK(late.status().code == StatusCode::closed);
  CHECK(late.status().message == "the flow is closing");

  client.wait_all();
  CHECK(ok == 10);
  CHECK(failed == 0);
  served.stop_and_join();
}

TEST_CASE("back-pressure: at max_in_flight the server waits for room, every request answered",
          "[serve][http][zmq]") {
  serve::ServeOptions options = test::any_port_options();
  options.flow.max_in_flight = 4;
  ServerThread served(test::one_pod_flow("slow", "- !WaitDriver {duration: 5ms}"), options);
  constexpr int kZmqRequests = 300;
  int zmq_ok = 0;
  std::thread zmq_client([&] {
    ClientOptions client_options;
    client_options.timeout = std::chrono::seconds(20);
    client_options.window = 100;
    Client client(served.endpoints().zmq, client_options);
    for (int i = 0; i < kZmqRequests; ++i) {
      client.submit(test::text_request("z" + std::to_string(i)), [&, i](Response&& r) {
        if (r.ok() && r.request.docs.at(0).text == "z" + std::to_string(i)) ++zmq_ok;
      });
    }
    client.wait_all();
  });
  httplib::Client http(served.endpoints().http);
  http.set_read_timeout(std::chrono::seconds(20));
  json data = json::array();
  for (int i = 0; i < 30; ++i) data.push_back("h" + std::to_string(i));
  json reply = post(http, "/index", json{{"data", data}, {"request_size", 1}}.dump(), 200);
  zmq_client.join();
  CHECK(reply["requests"] == 30);
  REQUIRE(reply["docs"].size() == 30);
  CHECK(reply["docs"][29]["text"] == "h29");
  CHECK(zmq_ok == kZmqRequests);
}

TEST_CASE("HTTP: a request the flow fails is a 500 naming the pod and the reason",
          "[serve][http]") {
  ServerThread served(test::one_pod_flow("boom", "- !FailDriver {message: kaput}"));
  httplib::Client http(served.endpoints().http);
  json reply = post(http, "/search", R"({"data": ["a", "b"], "request_size": 1})", 500);
  CHECK(reply["status"]["code"] == "error");
  CHECK(reply["status"]["pod"] == "boom");
  CHECK_THAT(reply["status"]["message"].get<std::string>(), Contains("kaput"));
  CHECK(reply["requests"] == 2);
  CHECK(reply["failed"] == 2);
  CHECK(reply["docs"].empty());
}
