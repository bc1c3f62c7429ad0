// FrameKeeper keeps a reference to each small frame it is given, so the frame's memory is
// released when the keeper reuses the slot, not when libzmq (here: the test) drops its copy.
#include <catch2/catch.hpp>

#include <cstddef>
#include <vector>

#include "wire/frame_keeper.hpp"

using namespace jflow;

namespace {

// A frame over `bytes` whose release sets `freed`: the test sees when its last reference goes.
zmq::message_t watched_frame(std::vector<char>& bytes, bool& freed) {
  return zmq::message_t(
      bytes.data(), bytes.size(), [](void*, void* hint) { *static_cast<bool*>(hint) = true; },
      &freed);
}

}  // namespace

TEST_CASE("frame keeper: a kept frame outlives its sender's release until its slot is reused",
          "[wire][frame_keeper]") {
  FrameKeeper keeper;
  std::vector<char> bytes(200, 'x');
  bool freed = false;
  {
    zmq::message_t frame = watched_frame(bytes, freed);
    keeper.keep(frame);
    CHECK(frame.size() == 200);  // the frame itself is untouched: it is still to be sent
  }                              // the sender's (libzmq's) release
  CHECK_FALSE(freed);

  std::vector<char> other(10, 'y');
  for (std::size_t i = 1; i < FrameKeeper::kMaxFrames; ++i) {
    zmq::message_t filler(other.data(), other.size());
    keeper.keep(filler);
  }
  CHECK(keeper.size() == FrameKeeper::kMaxFrames);
  CHECK_FALSE(freed);  // every slot used once: the first frame is still held
  zmq::message_t next(other.data(), other.size());
  keeper.keep(next);  // reuses the first slot
  CHECK(freed);
  CHECK(keeper.size() == FrameKeeper::kMaxFrames);  // bounded: slots are reused, never added
}

TEST_CASE("frame keeper: a frame larger than the limit is not kept", "[wire][frame_keeper]") {
  FrameKeeper keeper;
  std::vector<char> bytes(FrameKeeper::kMaxFrameBytes + 1, 'x');
  bool freed = false;
  {
    zmq::message_t frame = watched_frame(bytes, freed);
    keeper.keep(frame);
  }
  CHECK(freed);
  CHECK(keeper.size() == 0);
}
