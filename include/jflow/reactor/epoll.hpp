// Attaching an AsyncFlow to an epoll loop the application already runs. The flow's fd is
// level-triggered, so it is registered like any other readable fd; when epoll reports it, call
// on_ready(). No timer is needed: the flow's own deadlines and health checks are inside its fd.
//
//   int host = epoll_create1(EPOLL_CLOEXEC);
//   jflow::reactor::EpollAttachment attached(host, flow);
//   for (;;) {
//     epoll_event events[16];
//     int n = epoll_wait(host, events, 16, -1);
//     for (int i = 0; i < n; ++i)
//       if (attached.owns(events[i])) attached.on_ready();  // else: the app's own fds
//   }
//
// Thread-safety: use it on the thread that owns the flow; the flow must outlive the attachment.
#pragma once

#include <sys/epoll.h>

#include <cerrno>
#include <system_error>

#include "jflow/async_flow.hpp"

namespace jflow::reactor {

class EpollAttachment {
 public:
  // Registers the flow's fd in `epoll_fd`; events for it carry `data` (by default, the fd).
  EpollAttachment(int epoll_fd, AsyncFlow& flow)
      : EpollAttachment(epoll_fd, flow, data_for(flow)) {}
  EpollAttachment(int epoll_fd, AsyncFlow& flow, epoll_data_t data)
      : epoll_fd_(epoll_fd), flow_(flow), data_(data) {
    epoll_event event{};
    event.events = EPOLLIN;  // level-triggered: the flow's fd stays readable while work waits
    event.data = data_;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, flow_.native_handle(), &event) < 0)
      throw std::system_error(errno, std::generic_category(), "epoll_ctl(ADD) for the flow's fd");
  }
  ~EpollAttachment() { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, flow_.native_handle(), nullptr); }
  EpollAttachment(const EpollAttachment&) = delete;
  EpollAttachment& operator=(const EpollAttachment&) = delete;

  // Whether an event epoll_wait returned is the flow's (compares the data given at registration).
  bool owns(const epoll_event& event) const { return event.data.u64 == data_.u64; }

  // Runs the flow's ready work and callbacks; returns the number of requests that ended.
  std::size_t on_ready(std::size_t budget = AsyncFlow::kUnlimited) { return flow_.process(budget); }

 private:
  static epoll_data_t data_for(const AsyncFlow& flow) {
    epoll_data_t data{};
    data.u64 = 0;
    data.fd = flow.native_handle();
    return data;
  }

  int epoll_fd_;
  AsyncFlow& flow_;
  epoll_data_t data_;
};

}  // namespace jflow::reactor
