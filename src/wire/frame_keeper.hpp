// FrameKeeper: holds a second reference to each small frame a thread made and sent, so that the
// frame's memory goes back to the allocator on the thread that allocated it.
//
// Why: libzmq frees a sent frame on its I/O thread once it has written it out. A pea (or the
// gateway) mallocs a frame per message and the I/O thread frees it, so neither finds its
// chunks in its own per-thread cache: every malloc takes the allocator's slow path, every free
// locks the allocating thread's arena, and with both busy the two contend for that lock (futex
// system calls, and sleeps, on both sides). Measured on bench_chain at 1024 in flight: ~0.8
// futex calls per request in the flow's processes, against almost none in the raw chain, whose
// hops forward the frames they received and allocate nothing.
//
// With a reference kept here, libzmq's release only drops the count to one; the last release
// is the one this keeper makes when the slot is reused, many frames later, on the sending thread.
// A frame whose I/O thread is slower than that still gets freed there, as before. Frames of
// other threads' memory (a body forwarded as received) must not be kept: their release would
// then move to this thread instead. Thread-safety: one keeper per sending thread.
#pragma once

#include <cstddef>
#include <vector>

#include <zmq.hpp>

namespace jflow {

class FrameKeeper {
 public:
  // At most this many frames are kept, and none larger than kMaxFrameBytes: at most ~2 MiB of
  // frames, however large or many the messages. Enough for the frames of a 1024-request window.
  static constexpr std::size_t kMaxFrames = 2048;
  static constexpr std::size_t kMaxFrameBytes = 1024;

  // Call before sending `frame` (sending empties it). Shares its bytes, not a copy of them.
  void keep(zmq::message_t& frame);
  std::size_t size() const { return ring_.size(); }

 private:
  std::vector<zmq::message_t> ring_;  // grows to kMaxFrames, then each slot is reused in turn
  std::size_t next_ = 0;
};

}  // namespace jflow
