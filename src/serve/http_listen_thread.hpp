// HttpListenThread: runs a bound httplib::Server's accept loop on a thread of its own, and stops
// it. httplib's stop() does nothing until the loop has begun (it checks is_running()), so a stop
// that came first — a server stopped right after it started — left the thread in accept() for
// ever; stop() here waits for the loop to have begun (or ended) before it stops it.
#pragma once

#include <atomic>
#include <thread>

namespace httplib {
class Server;
}

namespace jflow::serve {

class HttpListenThread {
 public:
  HttpListenThread() = default;
  HttpListenThread(const HttpListenThread&) = delete;
  HttpListenThread& operator=(const HttpListenThread&) = delete;
  ~HttpListenThread() { stop(); }

  void start(httplib::Server& server);  // `server` is bound already (bind_to_port)
  void stop();                          // returns once the loop has ended; idempotent

 private:
  httplib::Server* server_ = nullptr;
  std::thread thread_;
  std::atomic<bool> ended_{false};
};

}  // namespace jflow::serve
