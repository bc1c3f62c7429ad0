// frame_from: turns encoded bytes into a zmq frame. Large buffers are handed over to libzmq
// (freed when the last reference goes), saving a copy of every body on every hop; small ones are
// copied, which is cheaper than the extra allocation a hand-over costs.
#pragma once

#include <string>

#include <zmq.hpp>

namespace jflow {

inline constexpr std::size_t kHandOverFrom = 4096;

inline zmq::message_t frame_from(std::string&& bytes) {
  if (bytes.size() < kHandOverFrom) return zmq::message_t(bytes.data(), bytes.size());
  auto* owned = new std::string(std::move(bytes));
  return zmq::message_t(
      owned->data(), owned->size(),
      [](void*, void* hint) { delete static_cast<std::string*>(hint); }, owned);
}

}  // namespace jflow
