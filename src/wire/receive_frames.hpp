// receive_frames: reads one multipart message into a vector of frames that is kept from one
// message to the next. zmq::recv_multipart appends a new zmq::message_t per frame (made, moved in
// and destroyed again at the next clear()): two or three calls into libzmq per frame that a loop
// forwarding every request pays on every hop. Receiving into the frames already there does not.
#pragma once

#include <vector>

#include <zmq.hpp>

namespace jflow {

// One whole message, or false when none is waiting: `frames` then holds exactly the message's
// frames. What it held before is released either way (libzmq empties the frame a failed read
// was given), so after false its contents mean nothing.
inline bool receive_frames(zmq::socket_t& socket, std::vector<zmq::message_t>& frames) {
  std::size_t count = 0;
  do {
    if (count == frames.size()) frames.emplace_back();
    // Only the first frame can be missing: libzmq delivers a multipart message whole or not at all.
    const auto flags = count == 0 ? zmq::recv_flags::dontwait : zmq::recv_flags::none;
    if (!socket.recv(frames[count], flags)) return false;
  } while (frames[count++].more());
  frames.resize(count);
  return true;
}

}  // namespace jflow
