#include "serve/http_listen_thread.hpp"

#include <httplib.h>

namespace jflow::serve {

void HttpListenThread::start(httplib::Server& server) {
  server_ = &server;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    ended_ = true;
  });
}

void HttpListenThread::stop() {
  if (!thread_.joinable()) return;
  // The loop sets is_running() before its first accept(); a bound socket makes that prompt.
  while (!server_->is_running() && !ended_) std::this_thread::yield();
  server_->stop();
  thread_.join();
}

}  // namespace jflow::serve
