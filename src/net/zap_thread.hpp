// ZapThread: a ZapAuthenticator (jflow/zap_authenticator.hpp) answering on a thread of its own,
// for a socket owner whose loop cannot poll the ZAP socket itself (the served flow's ZeroMQ
// endpoint lives in an epoll loop that watches only ZMQ_FDs). Bound when constructed, so it is in
// place before the CURVE socket of the same context binds; stopped and joined when destroyed.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "net/zap_authenticator.hpp"

namespace jflow {

class ZapThread {
 public:
  ZapThread(zmq::context_t& context, std::set<std::string> allowed, ZapAuthenticator::Log log);
  ~ZapThread();
  ZapThread(const ZapThread&) = delete;
  ZapThread& operator=(const ZapThread&) = delete;

 private:
  std::unique_ptr<ZapAuthenticator> authenticator_;
  zmq::socket_t stop_sender_;    // PAIR: one message stops the thread
  zmq::socket_t stop_receiver_;  // PAIR, used by the thread
  std::thread thread_;
};

}  // namespace jflow
