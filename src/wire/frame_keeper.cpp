#include "wire/frame_keeper.hpp"

namespace jflow {

void FrameKeeper::keep(zmq::message_t& frame) {
  if (frame.size() > kMaxFrameBytes) return;
  if (ring_.size() < kMaxFrames) {
    ring_.emplace_back().copy(frame);
    return;
  }
  // copy() releases the slot's old frame first: usually the last reference to it, so its
  // memory is freed here, on the thread that will allocate the next frame.
  ring_[next_].copy(frame);
  next_ = next_ + 1 == ring_.size() ? 0 : next_ + 1;
}

}  // namespace jflow
