// receive_frames reads whole multipart messages into a kept vector of frames, over a real inproc
// PUSH/PULL pair: each message comes out exactly, whatever the one before it held.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <zmq.hpp>

#include "wire/receive_frames.hpp"

using namespace jflow;

namespace {

void send_parts(zmq::socket_t& socket, const std::vector<std::string>& parts) {
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto flags = i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
    REQUIRE(socket.send(zmq::buffer(parts[i]), flags));
  }
}

std::vector<std::string> texts(const std::vector<zmq::message_t>& frames) {
  std::vector<std::string> out;
  for (const zmq::message_t& frame : frames) out.push_back(frame.to_string());
  return out;
}

}  // namespace

TEST_CASE("receive_frames reads each whole message into the frames kept from the last one",
          "[wire]") {
  zmq::context_t context;
  zmq::socket_t pull(context, zmq::socket_type::pull);
  zmq::socket_t push(context, zmq::socket_type::push);
  pull.bind("inproc://receive-frames");
  push.connect("inproc://receive-frames");
  std::vector<zmq::message_t> frames;

  // Nothing waits yet: nothing is read. (libzmq empties the first frame even then.)
  frames.emplace_back(std::string("stale"));
  CHECK_FALSE(receive_frames(pull, frames));

  // A 2-frame message, a longer one, a shorter one, an empty frame, and one large enough for
  // libzmq to allocate its bytes apart from the message (more than its 33 inline bytes).
  const std::vector<std::vector<std::string>> messages{
      {"envelope", "body"},
      {"a", "b", "c", "d"},
      {"only"},
      {"", "after an empty frame"},
      {std::string(5000, 'x'), "small"},
  };
  for (const auto& parts : messages) send_parts(push, parts);
  for (const auto& parts : messages) {
    // inproc delivers at once after send, and in order: each message is there to read.
    REQUIRE(receive_frames(pull, frames));
    CHECK(texts(frames) == parts);
  }
  CHECK_FALSE(receive_frames(pull, frames));
}
