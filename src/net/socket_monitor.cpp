#include "net/socket_monitor.hpp"

#include <cstring>
#include <vector>

#include <zmq_addon.hpp>

namespace jflow::detail {

void monitor_socket(zmq::socket_t& socket, zmq::socket_t& reader, const std::string& name,
                    int events) {
  const std::string endpoint = "inproc://" + name;
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), events) != 0) throw zmq::error_t();
  reader.connect(endpoint);
}

std::optional<MonitorEvent> next_monitor_event(zmq::socket_t& reader) {
  while (true) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(reader, std::back_inserter(frames), zmq::recv_flags::dontwait))
      return std::nullopt;
    // [event (2 bytes) + value (4 bytes) | endpoint]; anything shorter is not an event.
    if (frames.empty() || frames[0].size() < 6) continue;
    MonitorEvent event;
    std::memcpy(&event.event, frames[0].data(), sizeof event.event);
    std::memcpy(&event.value, static_cast<const char*>(frames[0].data()) + 2, sizeof event.value);
    return event;
  }
}

}  // namespace jflow::detail
