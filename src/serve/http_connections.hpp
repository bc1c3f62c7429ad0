// GuardedHttpServer: cpp-httplib's server with the connection handling a public endpoint needs
// (issue 16, Found 3: eight clients sending a byte every 2 s kept /health unanswered). cpp-httplib
// serves each connection on one thread of a fixed pool and cuts a slow client only when a single
// read waits past its read timeout, so a few slow clients hold every thread. Here
//   - every connection gets a thread of its own as it arrives (ConnectionThreads), so a slow
//     client holds only its own thread and /health is answered beside it;
//   - at most max_connections are served at once; one past it is answered 503 and closed at once;
//   - a request must arrive whole (request line, headers, body) within request_read_deadline of
//     its first byte, however steadily it trickles in; then the connection is closed.
// Limits and defaults: docs/SERVING.md, "Limits on input".
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "jflow/duration.hpp"

namespace jflow::serve {

struct HttpLimits;

// A task queue of httplib's that starts a thread for a task when none is idle, up to
// max_threads (then tasks wait for one); threads stay for the next task until shutdown().
class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(std::size_t max_threads) : max_threads_(max_threads) {}
  ~ConnectionThreads() override;

  void enqueue(std::function<void()> task) override;
  void shutdown() override;

 private:
  void work();

  const std::size_t max_threads_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

class GuardedHttpServer : public httplib::Server {
 public:
  explicit GuardedHttpServer(const HttpLimits& limits);
  // After binding: a listen backlog of max_connections (cpp-httplib's build listens with 5, so a
  // burst of connections waited a second each for a retried SYN).
  void widen_backlog();

 private:
  // httplib calls this (virtually) on a task-queue thread for each accepted connection.
  bool process_and_close_socket(socket_t sock) override;
  bool serve_connection(socket_t sock);

  const int max_connections_;
  const Duration read_timeout_;
  const Duration write_timeout_;
  const Duration idle_timeout_;
  const Duration request_read_deadline_;
  const int requests_per_connection_;
  std::atomic<int> open_{0};
};

}  // namespace jflow::serve
