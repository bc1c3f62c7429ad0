// How the HTTP endpoint holds its connections: a thread each, a cap, and a deadline on reading a
// whole request (see the header for why).
#include "serve/http_connections.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "serve/serve_json.hpp"
#include "serve/serve_server.hpp"

namespace jflow::serve {

namespace {

// How often a connection waiting for its next request looks whether the server is stopping.
constexpr auto kStopCheck = std::chrono::milliseconds(100);

// True when `events` happen on the socket before `until` (false on timeout or error).
bool wait_for(socket_t sock, short events, SteadyTime until) {
  for (;;) {
    pollfd entry{sock, events, 0};
    const int ready = ::poll(&entry, 1, static_cast<int>(poll_timeout_ms(until, 60'000)));
    if (ready > 0) return true;
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0 || steady_now() >= until) return false;
  }
}

void address_of(socket_t sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t size = sizeof(address);
  const int got = peer ? ::getpeername(sock, reinterpret_cast<sockaddr*>(&address), &size)
                       : ::getsockname(sock, reinterpret_cast<sockaddr*>(&address), &size);
  if (got != 0) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* v4 = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &v4->sin_addr, text, sizeof(text));
    port = ntohs(v4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof(text));
    port = ntohs(v6->sin6_port);
  }
  ip = text;
}

// A connection's stream whose reads end at the current request's deadline as well as at the
// per-read timeout: a client that trickles a byte at a time cannot stretch a request forever.
class DeadlineStream : public httplib::Stream {
 public:
  DeadlineStream(socket_t sock, Duration read_timeout, Duration write_timeout)
      : sock_(sock), read_timeout_(read_timeout), write_timeout_(write_timeout) {}

  void begin_request(SteadyTime deadline) { deadline_ = deadline; }

  bool is_readable() const override { return wait_for(sock_, POLLIN, read_until()); }
  bool is_writable() const override {
    return wait_for(sock_, POLLOUT, steady_now() + write_timeout_);
  }
  ssize_t read(char* ptr, size_t size) override {
    if (!is_readable()) return -1;
    ssize_t got;
    do {
      got = ::recv(sock_, ptr, size, 0);
    } while (got < 0 && errno == EINTR);
    return got;
  }
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    ssize_t sent;
    do {
      sent = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    return sent;
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    address_of(sock_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    address_of(sock_, false, ip, port);
  }
  socket_t socket() const override { return sock_; }

 private:
  SteadyTime read_until() const { return std::min(steady_now() + read_timeout_, deadline_); }

  socket_t sock_;
  Duration read_timeout_;
  Duration write_timeout_;
  SteadyTime deadline_ = SteadyTime::max();
};

// One past the cap: a complete reply written without waiting (it fits a fresh socket's buffer).
void refuse_busy(socket_t sock, int max_connections) {
  const std::string body =
      error_json("busy", "the server serves at most " + std::to_string(max_connections) +
                             " HTTP connections at once (max_connections)");
  const std::string reply =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
      "Retry-After: 1\r\nConnection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  (void)!::send(sock, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

}  // namespace

ConnectionThreads::~ConnectionThreads() {
  shutdown();
}

void ConnectionThreads::enqueue(std::function<void()> task) {
  std::lock_guard lock(mutex_);
  tasks_.push_back(std::move(task));
  if (idle_ >= tasks_.size() || threads_.size() >= max_threads_) {
    wake_.notify_one();
    return;
  }
  threads_.emplace_back([this] { work(); });
}

void ConnectionThreads::shutdown() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void ConnectionThreads::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_;
    wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
    --idle_;
    // Connections already accepted are still served when stopping (httplib's pool does the same).
    if (tasks_.empty()) return;
    std::function<void()> task = std::move(tasks_.front());
    tasks_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

GuardedHttpServer::GuardedHttpServer(const HttpLimits& limits)
    : max_connections_(std::max(limits.max_connections, 1)),
      read_timeout_(limits.read_timeout),
      write_timeout_(limits.write_timeout),
      idle_timeout_(limits.idle_timeout),
      request_read_deadline_(limits.request_read_deadline),
      requests_per_connection_(std::max(limits.requests_per_connection, 1)) {
  // A few threads beyond the cap, so that connections past it are refused at once rather than
  // waiting for a thread.
  const std::size_t threads = static_cast<std::size_t>(max_connections_) + 8;
  new_task_queue = [threads] { return new ConnectionThreads(threads); };
}

void GuardedHttpServer::widen_backlog() {
  // listen(2) again on a listening socket only changes its backlog.
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, max_connections_);
}

bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
  bool served = false;
  if (open_.fetch_add(1) < max_connections_) {
    served = serve_connection(sock);
  } else {
    refuse_busy(sock, max_connections_);
  }
  open_.fetch_sub(1);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return served;
}

bool GuardedHttpServer::serve_connection(socket_t sock) {
  DeadlineStream stream(sock, read_timeout_, write_timeout_);
  for (int left = requests_per_connection_; left > 0; --left) {
    // Wait for the first byte of the next request, idle_timeout at most, and stop waiting when
    // the server stops.
    const SteadyTime idle_until = steady_now() + idle_timeout_;
    bool readable = false;
    while (!readable && svr_sock_ != INVALID_SOCKET && steady_now() < idle_until) {
      readable = wait_for(sock, POLLIN, std::min(idle_until, steady_now() + kStopCheck));
    }
    if (!readable) return true;
    stream.begin_request(steady_now() + request_read_deadline_);
    bool connection_closed = false;
    if (!process_request(stream, left == 1, connection_closed, nullptr)) return false;
    if (connection_closed) return true;
  }
  return true;
}

}  // namespace jflow::serve
