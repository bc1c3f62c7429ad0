// WatchedSocket: a zmq socket that a poll loop waits on through its file descriptor (ZMQ_FD)
// rather than as a zmq_poll socket item.
//
// Why: zmq_poll asks every socket item for ZMQ_EVENTS before and after it sleeps, and each ask
// costs a system call (libzmq checks the socket's command mailbox), so a pea woken for one
// request paid ~8 system calls before reading it. The fd alone costs nothing extra.
//
// The catch: ZMQ_FD is edge-triggered. It signals news the socket has not yet taken in; once the
// loop touches the socket (a send, or a read that stopped before EAGAIN) a message may already be
// waiting with no signal to come. So the loop calls touched() after such use, drained() when a
// read ended in EAGAIN, and before it sleeps, ready_now() asks ZMQ_EVENTS of touched sockets only.
#pragma once

#include <zmq.hpp>

namespace jflow {

class WatchedSocket {
 public:
  explicit WatchedSocket(zmq::socket_t& socket)
      : socket_(&socket), fd_(socket.get(zmq::sockopt::fd)) {}

  zmq::pollitem_t poll_item(bool wanted) const {
    return {nullptr, fd_, static_cast<short>(wanted ? ZMQ_POLLIN : 0), 0};
  }
  void touched() { unsure_ = true; }
  void drained() { unsure_ = false; }
  // True when a message is known to be waiting without the fd saying so. Asking settles the
  // socket's state, so afterwards the fd signals the next message again.
  bool ready_now() {
    if (!unsure_) return false;
    unsure_ = false;
    return (socket_->get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
  }

 private:
  zmq::socket_t* socket_;
  zmq::fd_t fd_;
  bool unsure_ = true;  // nothing is known before the first look
};

}  // namespace jflow
