// The ZeroMQ endpoint of a served flow, in-process: many clients with the same request ids,
// malformed frames, ping, deadlines, and jflow::Client's calls.
#include <catch2/catch.hpp>

#include <map>
#include <thread>

#include <httplib.h>
#include <zmq.hpp>

#include "jflow/client.hpp"
#include "jflow/codec.hpp"
#include "serve/raw_zmq_client.hpp"
#include "serve/serve_support.hpp"

using Catch::Matchers::Contains;
using namespace jflow;
using jflow::test::RawClient;
using jflow::test::ServerThread;

namespace {

FlowSpec pass_flow() {
  return FlowBuilder().transport(Transport::inproc).add("first").add("second").build();
}

std::string envelope_bytes(const std::string& id, RequestType type = RequestType::index,
                           std::int64_t deadline_ns = 0) {
  Envelope envelope;
  envelope.request_id = id;
  envelope.type = type;
  envelope.deadline_ns = deadline_ns;
  return encode_envelope(envelope);
}

std::string text_body(const std::string& text) {
  return encode_body(test::text_request(text));
}

}  // namespace

TEST_CASE("two clients x 10,000 requests with the same ids: each reply reaches its own client",
          "[serve][zmq]") {
  ServerThread served(pass_flow());
  constexpr int kRequests = 10000;
  constexpr int kWindow = 128;
  struct Tally {
    std::map<std::string, int> replies;  // request id -> replies seen
    int wrong_text = 0;
    int not_ok = 0;
    bool finished = false;
  };
  auto run_client = [&](const std::string& name, Tally& tally) {
    RawClient client(served.endpoints().zmq);
    int sent = 0, received = 0;
    while (received < kRequests) {
      while (sent < kRequests && sent - received < kWindow) {
        const std::string id = std::to_string(sent);
        client.send({envelope_bytes(id), text_body(name + "-" + id)});
        ++sent;
      }
      auto reply = client.receive();
      if (!reply) return;  // no reply within 10 s: counted as missing below
      ++received;
      auto& [envelope, body] = *reply;
      ++tally.replies[envelope.request_id];
      if (!envelope.status.ok()) ++tally.not_ok;
      if (body.docs.size() != 1 || body.docs[0].text != name + "-" + envelope.request_id)
        ++tally.wrong_text;
    }
    // Replies on one connection come in the order they were sent: once the ping's reply is here,
    // any duplicate of an earlier reply would have arrived before it.
    client.send(
        {envelope_bytes("ping", RequestType::control),
         encode_body(Request{RequestType::control, {}, {{"command", std::string("ping")}}, {}})});
    for (;;) {
      auto reply = client.receive();
      if (!reply) return;
      if (reply->first.request_id == "ping") break;
      ++tally.replies[reply->first.request_id];
    }
    tally.finished = true;
  };
  Tally a, b;
  std::thread first([&] { run_client("A", a); });
  std::thread second([&] { run_client("B", b); });
  first.join();
  second.join();
  for (Tally* tally : {&a, &b}) {
    CHECK(tally->finished);
    CHECK(tally->replies.size() == static_cast<std::size_t>(kRequests));
    int duplicated = 0;
    for (const auto& [id, count] : tally->replies) duplicated += count != 1 ? 1 : 0;
    CHECK(duplicated == 0);
    CHECK(tally->wrong_text == 0);
    CHECK(tally->not_ok == 0);
  }
  served.stop_and_join();
}

TEST_CASE("malformed frames get an error reply and the server keeps serving", "[serve][zmq]") {
  ServerThread served(pass_flow());
  RawClient client(served.endpoints().zmq);
  auto refused = [&](const std::vector<std::string>& frames) {
    client.send(frames);
    auto reply = client.receive();
    REQUIRE(reply);
    CHECK(reply->first.status.code == StatusCode::bad_request);
    CHECK(reply->first.status.pod == "gateway");
    return reply->first;
  };
  SECTION("one frame") {
    Envelope reply = refused({envelope_bytes("r1")});
    CHECK(reply.request_id == "r1");
    CHECK_THAT(reply.status.message, Contains("expected 2 frames") && Contains("got 1"));
  }
  SECTION("three frames") {
    Envelope reply = refused({envelope_bytes("r2"), text_body("x"), "extra"});
    CHECK_THAT(reply.status.message, Contains("got 3"));
  }
  SECTION("an envelope that is not msgpack") {
    Envelope reply = refused({"not an envelope", text_body("x")});
    CHECK(reply.request_id.empty());
    CHECK_THAT(reply.status.message, Contains("envelope"));
  }
  SECTION("another protocol version") {
    std::string head = envelope_bytes("r3");
    head[1] = 7;  // the first element of the envelope array: the version
    Envelope reply = refused({head, text_body("x")});
    CHECK_THAT(reply.status.message, Contains("unsupported protocol version 7"));
  }
  SECTION("a body that does not decode") {
    Envelope reply = refused({envelope_bytes("r4"),
                              "\x81\xa6"
                              "colour"
                              "\x01"});
    CHECK(reply.request_id == "r4");
    CHECK_THAT(reply.status.message, Contains("body"));
  }
  SECTION("an unknown control command") {
    Envelope reply = refused(
        {envelope_bytes("r5", RequestType::control),
         encode_body(Request{RequestType::control, {}, {{"command", std::string("reboot")}}, {}})});
    CHECK_THAT(reply.status.message, Contains("ping"));
  }
  // Whatever came before, the next well-formed request is served.
  client.send({envelope_bytes("good"), text_body("still serving")});
  auto reply = client.receive();
  REQUIRE(reply);
  CHECK(reply->first.request_id == "good");
  CHECK(reply->first.status.ok());
  REQUIRE(reply->second.docs.size() == 1);
  CHECK(reply->second.docs[0].text == "still serving");
}

TEST_CASE("a request whose deadline has passed is refused with timeout", "[serve][zmq]") {
  ServerThread served(pass_flow());
  RawClient client(served.endpoints().zmq);
  client.send(
      {envelope_bytes("late", RequestType::index, unix_now_ns() - 1'000'000), text_body("x")});
  auto reply = client.receive();
  REQUIRE(reply);
  CHECK(reply->first.request_id == "late");
  CHECK(reply->first.status.code == StatusCode::timeout);
}

TEST_CASE("jflow::Client: index, search, ping and a window of requests", "[serve][client]") {
  ServerThread served(pass_flow());
  Client client(served.endpoints().zmq);

  PingResult ping = client.ping();
  REQUIRE(ping.ok);
  CHECK(ping.state == "running");
  CHECK(ping.pods == 2);
  CHECK(ping.peas == 2);
  CHECK(ping.peas_alive == 2);
  CHECK(ping.latency > Duration::zero());

  std::vector<Document> docs(25);
  for (std::size_t i = 0; i < docs.size(); ++i) docs[i].text = "doc " + std::to_string(i);
  RequestOptions options;
  options.request_size = 10;
  options.parameters["top_k"] = std::int64_t{3};
  std::vector<Response> replies = client.index(docs, options);
  REQUIRE(replies.size() == 3);
  std::size_t total = 0;
  for (const Response& reply : replies) {
    CHECK(reply.ok());
    CHECK(reply.envelope.type == RequestType::index);
    CHECK(reply.request.parameters.at("top_k") == Value{std::int64_t{3}});
    total += reply.request.docs.size();
  }
  CHECK(total == 25);

  Response searched = client.call(Request{RequestType::search, {docs[0]}, {}, {}});
  CHECK(searched.ok());
  CHECK(searched.envelope.type == RequestType::search);

  int ended = 0;
  for (int i = 0; i < 50; ++i)
    client.submit(test::text_request("w" + std::to_string(i)), [&](Response&& r) {
      CHECK(r.ok());
      ++ended;
    });
  CHECK(client.in_flight() == 50);
  client.wait_all();
  CHECK(ended == 50);
  CHECK(client.ping().served >= 54);
}

TEST_CASE("jflow::Client: a request past its deadline ends with timeout, never a hang",
          "[serve][client]") {
  ServerThread served(test::one_pod_flow("slow", "- !WaitDriver {duration: 2s}"));
  Client client(served.endpoints().zmq);
  Response reply = client.call(test::text_request("slow"), std::chrono::milliseconds(200));
  CHECK(reply.status().code == StatusCode::timeout);
  // Ended at its deadline — by the client or by the served flow's gateway (which has what is left
  // of it), whichever saw it pass first — not by the pod after its 2s wait (that reply would
  // name pod 'slow').
  CHECK_THAT(reply.status().message, Contains("no reply"));
  CHECK((reply.status().pod == "client" || reply.status().pod == "gateway"));
}

TEST_CASE("jflow::Client: nothing listening ends in an error within the timeout",
          "[serve][client]") {
  // A port that was free a moment ago: bind, read it back, close.
  std::string endpoint;
  {
    zmq::context_t context;
    zmq::socket_t probe(context, zmq::socket_type::router);
    probe.set(zmq::sockopt::linger, 0);
    probe.bind("tcp://127.0.0.1:*");
    endpoint = probe.get(zmq::sockopt::last_endpoint);
  }
  Client client(endpoint);
  PingResult ping = client.ping(std::chrono::milliseconds(300));
  CHECK_FALSE(ping.ok);
  // It gave up at the timeout it was given, and says so.
  CHECK_THAT(ping.error, Contains("no reply") && Contains("within 300ms"));
  Response reply = client.call(test::text_request("x"), std::chrono::milliseconds(200));
  CHECK(reply.status().code == StatusCode::timeout);
  CHECK(reply.status().pod == "client");
}

TEST_CASE("a client that leaves before its reply costs nothing but that reply", "[serve][zmq]") {
  ServerThread served(test::one_pod_flow("slow", "- !WaitDriver {duration: 200ms}"));
  {
    Client leaving(served.endpoints().zmq);
    leaving.submit(test::text_request("never read"), [](Response&&) {});
    REQUIRE(leaving.ping().in_flight == 1);  // accepted; the client then closes its socket
  }
  Client staying(served.endpoints().zmq);
  Response reply = staying.call(test::text_request("read"));
  CHECK(reply.ok());
  // The slow request has ended by the time this one (behind it in the pod) has.
  httplib::Client http(served.endpoints().http);
  auto status = http.Get("/status");
  REQUIRE(status);
  CHECK_THAT(status->body, Contains("\"undeliverable\":1"));
  CHECK(staying.ping().ok);
}
