// A ZeroMQ client that never reads its replies costs the server a bounded queue, not memory
// without end (issue 16, found 2: the send high-water mark was 0, unlimited, and one such client
// grew the server from 26 MB to 3 GB). Past ServeOptions::zmq_reply_queue its replies are dropped
// and counted as undeliverable, and other clients are served as before.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <chrono>
#include <regex>
#include <string>

#include <zmq.hpp>

#include "base/clock.hpp"
#include "jflow/client.hpp"
#include "jflow/codec.hpp"
#include "serve/serve_support.hpp"

using namespace jflow;

namespace {

std::uint64_t undeliverable_replies(const std::string& http_url) {
  httplib::Client http(http_url);
  auto status = http.Get("/status");
  REQUIRE(status);
  std::smatch found;
  REQUIRE(std::regex_search(status->body, found, std::regex("\"undeliverable\":([0-9]+)")));
  return std::stoull(found[1]);
}

}  // namespace

TEST_CASE("a client that does not read its replies has them dropped past its reply queue",
          "[serve][zmq][limits]") {
  serve::ServeOptions options = test::any_port_options();
  options.zmq_reply_queue = 4;
  test::ServerThread served(test::one_pod_flow("echo"), options);

  // The silent client: tiny receive buffers on its side too, so the server's queue fills early
  // instead of the kernel's buffers absorbing megabytes first.
  zmq::context_t context{1};
  zmq::socket_t silent{context, zmq::socket_type::dealer};
  silent.set(zmq::sockopt::linger, 0);
  silent.set(zmq::sockopt::rcvhwm, 1);
  silent.set(zmq::sockopt::rcvbuf, 4096);
  silent.connect(served.endpoints().zmq);
  const std::string text(64 * 1024, 'x');  // each reply carries it back
  const std::string body = encode_body(test::text_request(text));
  std::size_t sent = 0;
  const SteadyTime give_up = steady_now() + std::chrono::seconds(60);
  while (undeliverable_replies(served.endpoints().http) == 0) {
    REQUIRE(steady_now() < give_up);  // with no bound, every reply waits in the server's memory
    for (int i = 0; i < 50; ++i, ++sent) {
      Envelope envelope;
      envelope.request_id = "r" + std::to_string(sent);
      const std::string head = encode_envelope(envelope);
      silent.send(zmq::buffer(head), zmq::send_flags::sndmore);
      silent.send(zmq::buffer(body), zmq::send_flags::none);
    }
  }
  // A client that reads is served as before.
  Client reading(served.endpoints().zmq);
  const Response reply = reading.call(test::text_request("still served"));
  CHECK(reply.ok());
  CHECK(reply.request.docs.at(0).text == "still served");
}
