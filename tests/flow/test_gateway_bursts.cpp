// The gateway holds requests back while half of max_in_flight or more is in flight, and sends
// them together: at a burst of 32, or at the next process() step (flush_outbox). These tests
// check that what is held is sent, in order and whole, and that a flow fed this way loses no
// request. The gateway is driven directly against a PULL socket standing for the entry pod.
#include <catch2/catch.hpp>

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <zmq_addon.hpp>

#include "flow/gateway.hpp"
#include "flow/wake_fd.hpp"
#include "jflow/async_flow.hpp"
#include "jflow/codec.hpp"

#include "support/test_support.hpp"

using namespace jflow;

namespace {

// The entry pod's side: a PULL bound on inproc, read with a deadline per message.
class EntryPod {
 public:
  explicit EntryPod(zmq::context_t& context) : socket_(context, zmq::socket_type::pull) {
    socket_.set(zmq::sockopt::rcvtimeo, 10000);  // a deadline for each read, not a pause
    socket_.bind(kEndpoint);
  }
  // The request ids of the next `count` requests, in the order they arrived.
  std::vector<std::string> receive(std::size_t count) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < count; ++i) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(socket_, std::back_inserter(frames))) break;  // timed out
      REQUIRE(frames.size() == 2);
      ids.push_back(decode_envelope({frames[0].data<char>(), frames[0].size()}).request_id);
    }
    return ids;
  }
  static constexpr const char* kEndpoint = "inproc://gateway-bursts-entry";

 private:
  zmq::socket_t socket_;
};

std::vector<std::string> send_requests(detail::Gateway& gateway, std::size_t count) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < count; ++i)
    ids.push_back(gateway.send(test::text_request("r" + std::to_string(i)), nullptr,
                               std::chrono::seconds(30)));
  return ids;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

}  // namespace

TEST_CASE("gateway: below half the window requests go out at once, above it they wait for flush",
          "[flow][gateway]") {
  zmq::context_t context;
  EntryPod pod(context);
  detail::WakeFd wake;
  detail::Gateway gateway(context, wake);
  gateway.connect({EntryPod::kEndpoint}, 8, std::nullopt);

  const std::vector<std::string> first = send_requests(gateway, 4);
  CHECK_FALSE(gateway.holding());
  CHECK(pod.receive(4) == first);

  const std::vector<std::string> held = send_requests(gateway, 4);  // 4 to 7 in flight: held
  CHECK(gateway.holding());
  gateway.flush_outbox();
  CHECK_FALSE(gateway.holding());
  CHECK(pod.receive(4) == held);
  CHECK(gateway.in_flight() == 8);
}

TEST_CASE("gateway: a burst of 32 held requests goes out without waiting for a flush",
          "[flow][gateway]") {
  zmq::context_t context;
  EntryPod pod(context);
  detail::WakeFd wake;
  detail::Gateway gateway(context, wake);
  gateway.connect({EntryPod::kEndpoint}, 200, std::nullopt);

  const std::vector<std::string> sent = send_requests(gateway, 100);
  CHECK_FALSE(gateway.holding());
  const std::vector<std::string> held = send_requests(gateway, 31);
  CHECK(gateway.holding());
  const std::vector<std::string> last = send_requests(gateway, 1);  // the 32nd held: a burst
  CHECK_FALSE(gateway.holding());
  CHECK(pod.receive(132) == concat(concat(sent, held), last));
}

TEST_CASE("a flow fed past half its window by a caller that never waits in between loses nothing",
          "[flow][gateway]") {
  FlowOptions options = test::test_options();
  options.max_in_flight = 64;
  AsyncFlow flow(FlowBuilder().transport(Transport::inproc).add("p").build(), options);
  flow.start_async();
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  const auto wait_and_process = [&] {
    pollfd fd{flow.native_handle(), POLLIN, 0};
    ::poll(&fd, 1, 20);
    flow.process();
  };
  while (flow.state() != AsyncFlow::State::running && std::chrono::steady_clock::now() < give_up)
    wait_and_process();
  REQUIRE(flow.state() == AsyncFlow::State::running);

  std::vector<std::string> texts;
  for (int i = 0; i < 64; ++i) {
    flow.submit(test::text_request("t" + std::to_string(i)), [&texts](Response&& response) {
      REQUIRE(response.ok());
      REQUIRE(response.request.docs.size() == 1);
      texts.push_back(response.request.docs[0].text);
    });
  }
  // The held half makes work for process(): the fd says so at once, with no reply yet needed.
  pollfd fd{flow.native_handle(), POLLIN, 0};
  CHECK(::poll(&fd, 1, 0) == 1);
  while (texts.size() < 64 && std::chrono::steady_clock::now() < give_up) wait_and_process();
  REQUIRE(texts.size() == 64);
  std::sort(texts.begin(), texts.end());
  CHECK(std::unique(texts.begin(), texts.end()) == texts.end());
  flow.close();
}
