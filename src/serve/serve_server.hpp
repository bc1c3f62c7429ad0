// Server: keeps a flow up and serves it to clients — a ZeroMQ ROUTER endpoint (serve_zmq) and an
// HTTP/JSON endpoint (serve_http) — until stop(), then drains and closes (docs/SERVING.md).
//
// One thread owns everything that touches the flow: the thread that calls serve(). It runs one
// epoll loop over the AsyncFlow's fd, the ROUTER's ZMQ_FD, an eventfd for work handed over by
// other threads (HTTP handlers, through post()) and an eventfd that stop() writes. Every request
// the server accepts ends in exactly one reply: the flow's answer, or an error status naming the
// pod ("gateway" for the server itself) and the reason.
//
// Draining: stop() (a signal handler may call it) makes the server refuse new requests with status
// `closed`, "the flow is closing" (HTTP: 503); requests already accepted run to their end, then
// the flow is closed (FlowOptions::close_timeout bounds the drain) and serve() returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "jflow/async_flow.hpp"
#include "jflow/curve_keys.hpp"
#include "jflow/defaults.hpp"
#include "jflow/flow.hpp"

namespace jflow::serve {

inline constexpr const char* kServerPod = "gateway";  // the pod named by errors the server sets
inline constexpr const char* kClosingMessage = "the flow is closing";

// What HTTP clients can hold of the server (serve/http_connections.hpp; docs/SERVING.md, Limits).
struct HttpLimits {
  // Connections served at once, each on a thread of its own; one more is answered 503 and closed.
  int max_connections = 256;
  // A request (line, headers, body) must arrive whole within this of its first byte.
  Duration request_read_deadline = std::chrono::seconds(10);
  Duration read_timeout = std::chrono::seconds(5);   // the longest wait for the next bytes
  Duration write_timeout = std::chrono::seconds(5);  // the longest wait to send a reply's bytes
  Duration idle_timeout = std::chrono::seconds(5);   // a kept-alive connection with no request
  int requests_per_connection = 100;                 // then the connection is closed
  std::size_t max_body_bytes = 16 * 1024 * 1024;     // larger: 413 with a JSON body
};

struct ServeOptions {
  std::string zmq_address = defaults::kServeZmqAddress;  // "off": no ZeroMQ endpoint
  std::string http_address =
      defaults::kServeHttpAddress;  // "HOST:PORT", port 0 for any; "off": none
  // CURVE on the ZeroMQ endpoint: the server's key pair, and the client keys (Z85) it admits.
  std::optional<CurveKeyPair> zmq_key;
  std::set<std::string> zmq_allowed;
  // Replies queued for one ZeroMQ client that is not reading them (its send high-water mark): past
  // this, further replies to that client are dropped (counted as undeliverable) instead of
  // growing the server's memory. Other clients are not affected.
  int zmq_reply_queue = 1000;
  // The largest message the ZeroMQ endpoint accepts (ZMQ_MAXMSGSIZE): a client that sends a
  // larger frame is disconnected by libzmq before the frame is held in memory.
  std::int64_t zmq_max_message_bytes = 64 * 1024 * 1024;
  // Requests one ZeroMQ connection may have in flight; one more is refused with bad_request (so
  // is a request whose id the same connection has in flight already).
  int zmq_requests_per_client = 256;
  HttpLimits http;
  // Deadline of a request that carries none (HTTP requests, ZeroMQ deadline_ns 0). Zero: the
  // spec's request_timeout; when that is zero too, HTTP requests get 60 s (a handler never waits
  // forever) and ZeroMQ requests none.
  Duration request_timeout = Duration::zero();
  FlowOptions flow;
};

struct Endpoints {
  std::string zmq;   // e.g. tcp://127.0.0.1:45678 (empty when off)
  std::string http;  // e.g. http://127.0.0.1:45680 (empty when off)
};

// What /status and ping report.
struct ServerStatus {
  std::string state;  // starting, running, closing, closed
  std::size_t pods = 0;
  std::vector<PeaStatus> peas;
  std::size_t in_flight = 0;        // accepted, not yet replied
  std::uint64_t served = 0;         // replies given (any status)
  std::uint64_t failed = 0;         // of which not ok
  std::uint64_t undeliverable = 0;  // replies whose ZeroMQ client had gone
  std::vector<PodHealth> health;    // one per pod, once the flow runs
  // Ready (/readyz 200): running, and every pod can serve.
  bool ready() const;
  // Why not ready: "the flow is closing", or each pod that cannot serve and why ("" when ready).
  std::string not_ready_reason() const;
};

using ReplyCallback = std::function<void(Response&&)>;

class ZmqFront;
class HttpFront;

class Server {
 public:
  Server(FlowSpec spec, ServeOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // On the calling thread: starts the flow, binds the endpoints, calls on_ready with them, serves
  // until stop(), drains, closes the flow. Throws FlowError when the flow cannot start and
  // std::runtime_error when an endpoint cannot be bound (nothing is left running then).
  void serve(const std::function<void(const Endpoints&)>& on_ready = {});

  // From any thread, or a signal handler (it only writes an eventfd).
  void stop() noexcept;

  // ---- for the fronts ----
  // Loop thread. Takes one request: runs it in the flow, answers a control request (ping), or
  // refuses it (closing, deadline passed); `reply` runs exactly once, on the loop thread.
  // deadline_ns: absolute unix ns, 0 = the default timeout.
  void accept(Request request, std::int64_t deadline_ns, ReplyCallback reply, bool http = false);
  bool closing() const { return closing_.load(); }
  // Loop thread: whether a front may take more requests now (else it waits: back-pressure).
  bool has_room() const;
  ServerStatus status() const;  // loop thread
  FlowMetrics metrics() const;  // any thread, while the fronts run
  // Any thread: runs `task` on the loop thread. Returns false (and runs nothing) once the loop has
  // ended; the caller then answers for itself.
  bool post(std::function<void()> task);
  Duration http_timeout() const;

 private:
  void run_loop();
  void run_tasks();
  void pump_backlog();
  void submit_now(Request request, Duration timeout, ReplyCallback reply);
  void begin_closing();
  void finish(ReplyCallback& reply, Response&& response);

  FlowSpec spec_;
  ServeOptions options_;
  std::unique_ptr<AsyncFlow> flow_;
  std::unique_ptr<ZmqFront> zmq_;
  std::unique_ptr<HttpFront> http_;
  int epoll_ = -1;
  int stop_fd_ = -1;
  int task_fd_ = -1;

  std::atomic<bool> closing_{false};
  bool close_started_ = false;
  bool closed_ = false;
  std::size_t accepted_in_flight_ = 0;
  std::uint64_t served_ = 0;
  std::uint64_t failed_ = 0;

  struct Backlogged {
    Request request;
    Duration timeout;
    ReplyCallback reply;
  };
  std::deque<Backlogged> backlog_;  // accepted while the flow was at max_in_flight

  std::mutex tasks_mutex_;
  std::vector<std::function<void()>> tasks_;
  bool tasks_open_ = false;  // guarded by tasks_mutex_
};

// A response that ends a request without the flow: status `code` set by the server.
Response server_reply(RequestType type, StatusCode code, std::string message);

}  // namespace jflow::serve
