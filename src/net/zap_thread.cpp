#include "net/zap_thread.hpp"

#include <atomic>

namespace jflow {
namespace {

std::string unique_stop_endpoint() {
  static std::atomic<int> next{0};
  return "inproc://jflow-zap-stop-" + std::to_string(next++);
}

}  // namespace

ZapThread::ZapThread(zmq::context_t& context, std::set<std::string> allowed,
                     ZapAuthenticator::Log log)
    : authenticator_(
          std::make_unique<ZapAuthenticator>(context, std::move(allowed), std::move(log))),
      stop_sender_(context, zmq::socket_type::pair),
      stop_receiver_(context, zmq::socket_type::pair) {
  const std::string stop = unique_stop_endpoint();
  stop_receiver_.bind(stop);
  stop_sender_.connect(stop);
  // The sockets move to the thread here; starting a thread is the memory barrier libzmq asks for.
  thread_ = std::thread([this] {
    while (true) {
      zmq::pollitem_t items[] = {{authenticator_->socket().handle(), 0, ZMQ_POLLIN, 0},
                                 {stop_receiver_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, 2, std::chrono::milliseconds(-1));
      if (items[1].revents & ZMQ_POLLIN) return;
      authenticator_->handle();
    }
  });
}

ZapThread::~ZapThread() {
  stop_sender_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
  thread_.join();
}

}  // namespace jflow
