// A pea facing malformed frames on its data socket: each is rejected with a reason reported to
// the orchestrator, and the pea goes on serving. Here the test itself plays the orchestrator,
// speaking the real control protocol to a real pea over inproc sockets.
#include <catch2/catch.hpp>

#include <thread>

#include <zmq_addon.hpp>

#include "control/control.hpp"
#include "control/control_channel.hpp"
#include "jflow/codec.hpp"
#include "pea/pea.hpp"
#include "support/captured_log.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

namespace {

class PeaHarness {
 public:
  explicit PeaHarness(const std::string& uses)
      : control_(context_, zmq::socket_type::router),
        to_pea_(context_, zmq::socket_type::push),
        from_pea_(context_, zmq::socket_type::pull) {
    control_.bind("inproc://harness-control");
    from_pea_.bind("inproc://harness-out");
    thread_ =
        std::thread([this] { exit_code_ = Pea(context_, "inproc://harness-control", "p").run(); });
    REQUIRE(expect("hello"));
    PeaConfig config;
    config.pod = "p";
    config.pea = "p";
    config.flow_id = "harness";
    config.transport = Transport::inproc;
    config.drivers = FlowBuilder().add("p", uses).build().pods[0].drivers;
    send_control_to(control_, make_configure(config));
    auto ready = expect("ready");
    REQUIRE(ready);
    to_pea_.connect(ready->endpoints.at(0));
    ControlMessage wire{control::kWire, "p", {}, {"inproc://harness-out"}};
    send_control_to(control_, wire);
    REQUIRE(expect("wired"));
  }
  ~PeaHarness() {
    ControlMessage terminate{control::kTerminate, "p", {}, {}};
    send_control_to(control_, terminate);
    thread_.join();
  }

  // The next control message with this command (skipping heartbeats), within 5s.
  std::optional<ControlMessage> expect(const std::string& command) {
    auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < give_up) {
      zmq::pollitem_t item{control_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(50));
      while (auto message = try_recv_control(control_, true)) {
        if (message->command == command) return message;
      }
    }
    return std::nullopt;
  }

  void send_control(const ControlMessage& message) { send_control_to(control_, message); }
  // Asks the pea for its status and waits for the answer: everything sent to it on the control
  // socket before has been handled by then.
  bool round_trip() {
    send_control(ControlMessage{control::kStatus, "p", {}, {}});
    return expect(control::kStatus).has_value();
  }
  zmq::socket_t bind_pull(const std::string& endpoint) {
    zmq::socket_t socket(context_, zmq::socket_type::pull);
    socket.bind(endpoint);
    return socket;
  }

  void send_frames(const std::vector<std::string>& frames) {
    std::vector<zmq::message_t> parts;
    for (const std::string& f : frames) parts.emplace_back(f.data(), f.size());
    zmq::send_multipart(to_pea_, parts);
  }

  std::vector<zmq::message_t> receive() {
    zmq::pollitem_t item{from_pea_.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, std::chrono::seconds(5));
    std::vector<zmq::message_t> frames;
    (void)zmq::recv_multipart(from_pea_, std::back_inserter(frames), zmq::recv_flags::dontwait);
    return frames;
  }

  Envelope valid_envelope(const std::string& id) {
    Envelope envelope;
    envelope.request_id = id;
    return envelope;
  }

 private:
  zmq::context_t context_;
  zmq::socket_t control_;
  zmq::socket_t to_pea_;
  zmq::socket_t from_pea_;
  std::thread thread_;
  int exit_code_ = -1;
};

std::string body_of(const std::string& text) {
  return encode_body(test::text_request(text));
}

}  // namespace

TEST_CASE("malformed frames are rejected with a reason and the pea keeps serving",
          "[pea][bad-input]") {
  PeaHarness pea("_pass");
  std::string envelope = encode_envelope(pea.valid_envelope("r1"));

  pea.send_frames({envelope});  // one frame instead of two
  auto rejected = pea.expect("rejected");
  REQUIRE(rejected);
  CHECK_THAT(std::get<std::string>(rejected->fields.at("message")), Contains("got 1"));

  pea.send_frames({envelope, body_of("x"), "extra"});
  rejected = pea.expect("rejected");
  REQUIRE(rejected);
  CHECK_THAT(std::get<std::string>(rejected->fields.at("message")), Contains("got 3"));

  pea.send_frames({"\xc1 not msgpack", body_of("x")});
  rejected = pea.expect("rejected");
  REQUIRE(rejected);
  CHECK_THAT(std::get<std::string>(rejected->fields.at("message")), Contains("envelope"));

  pea.send_frames({envelope.substr(0, envelope.size() - 1), body_of("x")});  // truncated
  REQUIRE(pea.expect("rejected"));

  // After all that, a good request is served normally.
  pea.send_frames({envelope, body_of("still here")});
  auto frames = pea.receive();
  REQUIRE(frames.size() == 2);
  Envelope reply = decode_envelope(std::string_view(frames[0].data<char>(), frames[0].size()));
  CHECK(reply.request_id == "r1");
  CHECK(reply.status.ok());
  CHECK(decode_body(std::string_view(frames[1].data<char>(), frames[1].size())).docs.at(0).text ==
        "still here");
}

TEST_CASE("a routing pea forwards an undecodable body untouched - a decoding one reports it",
          "[pea][bad-input]") {
  std::string junk = "\x92\x01";  // a msgpack array header with missing elements
  SECTION("pass-through never opens the body") {
    PeaHarness pea("_pass");
    pea.send_frames({encode_envelope(pea.valid_envelope("r2")), junk});
    auto frames = pea.receive();
    REQUIRE(frames.size() == 2);
    CHECK(decode_envelope(std::string_view(frames[0].data<char>(), frames[0].size())).status.ok());
    CHECK(frames[1].to_string() == junk);
  }
  SECTION("a driver that reads documents turns it into bad_request naming pod and driver") {
    PeaHarness pea("- !LogDriver {docs: true}");
    pea.send_frames({encode_envelope(pea.valid_envelope("r3")), junk});
    auto frames = pea.receive();
    REQUIRE(frames.size() == 2);
    Envelope reply = decode_envelope(std::string_view(frames[0].data<char>(), frames[0].size()));
    CHECK(reply.request_id == "r3");
    CHECK(reply.status.code == StatusCode::bad_request);
    CHECK(reply.status.pod == "p");
    CHECK(reply.status.executor == "LogDriver");
    CHECK_FALSE(reply.status.message.empty());
  }
}

TEST_CASE("rewire moves a pea's output to another endpoint - one without from or to is ignored",
          "[pea][bad-input][rewire]") {
  test::CapturedLog captured("rewire", {LogLevel::info, LogFormat::text});
  PeaHarness pea("_pass");
  zmq::socket_t moved_to = pea.bind_pull("inproc://harness-out-moved");
  const std::string envelope = encode_envelope(pea.valid_envelope("r1"));

  pea.send_control(ControlMessage{control::kRewire, "p", {{"from", "inproc://harness-out"}}, {}});
  pea.send_control(
      ControlMessage{control::kRewire, "p", {{"to", "inproc://harness-out-moved"}}, {}});
  REQUIRE(pea.round_trip());
  int ignored = 0;
  for (const std::string& line : captured.lines())
    ignored += line.find("a rewire without both 'from' and 'to' was ignored") != std::string::npos;
  CHECK(ignored == 2);
  pea.send_frames({envelope, body_of("not moved")});
  REQUIRE(pea.receive().size() == 2);  // still to the first output

  // One for an endpoint the pea is not connected to changes nothing either.
  pea.send_control(ControlMessage{
      control::kRewire, "p", {{"from", "inproc://elsewhere"}, {"to", "inproc://nowhere"}}, {}});
  pea.send_control(
      ControlMessage{control::kRewire,
                     "p",
                     {{"from", "inproc://harness-out"}, {"to", "inproc://harness-out-moved"}},
                     {}});
  REQUIRE(pea.round_trip());
  pea.send_frames({envelope, body_of("moved")});
  zmq::pollitem_t item{moved_to.handle(), 0, ZMQ_POLLIN, 0};
  REQUIRE(zmq::poll(&item, 1, std::chrono::seconds(5)) == 1);
  std::vector<zmq::message_t> frames;
  REQUIRE(zmq::recv_multipart(moved_to, std::back_inserter(frames), zmq::recv_flags::dontwait));
  REQUIRE(frames.size() == 2);
  CHECK(decode_body(std::string_view(frames[1].data<char>(), frames[1].size())).docs.at(0).text ==
        "moved");
  int reconnected = 0;
  for (const std::string& line : captured.lines())
    reconnected += line.find(
                       "reconnected from inproc://harness-out to "
                       "inproc://harness-out-moved") != std::string::npos;
  CHECK(reconnected == 1);
}
