// Slow HTTP clients (issue 16, Found 3): eight connections sending a byte every 2 s kept /health
// unanswered for a whole attack. Each connection now has a thread of its own, a request must
// arrive whole within request_read_deadline, and connections past max_connections are refused
// with a 503. The slow clients here are raw sockets that send one byte at a time.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "serve/serve_support.hpp"

using namespace jflow;

namespace {

int port_of(const std::string& url) {
  return std::stoi(url.substr(url.rfind(':') + 1));
}

// A TCP connection to the server that the test writes byte by byte.
class RawConnection {
 public:
  explicit RawConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;

  bool send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // What the server sent until it closed the connection or `within` passed.
  std::string read_until_closed(Duration within) {
    std::string got;
    const SteadyTime until = steady_now() + within;
    char buffer[4096];
    while (steady_now() < until) {
      pollfd entry{fd_, POLLIN, 0};
      if (::poll(&entry, 1, static_cast<int>(poll_timeout_ms(until, 1000))) <= 0) continue;
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
  }
  // True when the server closed the connection: a read sees its end (or an error).
  bool closed_by_server(Duration wait) {
    pollfd entry{fd_, POLLIN, 0};
    if (::poll(&entry, 1, static_cast<int>(poll_timeout_ms(steady_now() + wait, 1000))) <= 0)
      return false;
    char byte;
    return ::recv(fd_, &byte, 1, MSG_DONTWAIT) <= 0;
  }

 private:
  int fd_;
};

const std::string kSlowRequest =
    "POST /search HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Padding: ";

// Sends the next byte of kSlowRequest to every connection every `pace` until stopped: the
// attack itself (kept under the server's 5 s read timeout), not a synchronisation.
class Trickle {
 public:
  Trickle(std::vector<std::unique_ptr<RawConnection>>& connections, Duration pace)
      : thread_([this, &connections, pace] {
          std::size_t next = 0;
          for (;;) {
            {
              std::lock_guard lock(mutex_);
              if (stop_) return;
            }
            const char byte = kSlowRequest[std::min(next++, kSlowRequest.size() - 1)];
            for (auto& connection : connections) connection->send(std::string(1, byte));
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, pace, [this] { return stop_; });
          }
        }) {}
  ~Trickle() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace

TEST_CASE("HTTP: /health answers while 40 slow clients hold connections",
          "[serve][http][limits][slow]") {
  test::ServerThread served(test::one_pod_flow("echo"));
  const int port = port_of(served.endpoints().http);
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 40; ++i) slow.push_back(std::make_unique<RawConnection>(port));
  Trickle trickle(slow, std::chrono::milliseconds(500));

  httplib::Client http(served.endpoints().http);
  http.set_read_timeout(std::chrono::seconds(3));  // the deadline on the answer
  auto health = http.Get("/health");
  REQUIRE(health);
  CHECK(health->status == 200);
  auto search = http.Post("/search", R"({"data": ["still served"]})", "application/json");
  REQUIRE(search);
  CHECK(search->status == 200);
}

TEST_CASE("HTTP: a request trickled in past request_read_deadline is cut",
          "[serve][http][limits][slow]") {
  serve::ServeOptions options = test::any_port_options();
  options.http.request_read_deadline = std::chrono::milliseconds(500);
  test::ServerThread served(test::one_pod_flow("echo"), options);
  RawConnection connection(port_of(served.endpoints().http));
  // One byte every 100 ms: each read is well within the 5 s read timeout, the whole request is
  // not within its deadline.
  const SteadyTime give_up = steady_now() + std::chrono::seconds(10);
  bool cut = false;
  for (std::size_t i = 0; !cut && steady_now() < give_up; ++i) {
    connection.send(std::string(1, kSlowRequest[std::min(i, kSlowRequest.size() - 1)]));
    cut = connection.closed_by_server(std::chrono::milliseconds(100));
  }
  CHECK(cut);
}

TEST_CASE("HTTP: a connection past max_connections is a JSON 503 with Retry-After",
          "[serve][http][limits][slow]") {
  serve::ServeOptions options = test::any_port_options();
  options.http.max_connections = 2;
  test::ServerThread served(test::one_pod_flow("echo"), options);
  const int port = port_of(served.endpoints().http);
  // Two kept-alive connections, each answered once (so the server holds both), then idle.
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<RawConnection>(port));
    REQUIRE(held.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  // The first replies arrive (so the server holds both); the connections stay open (keep-alive).
  for (auto& connection : held) CHECK_FALSE(connection->closed_by_server(std::chrono::seconds(5)));
  RawConnection third(port);
  REQUIRE(third.send("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"));
  const std::string refused = third.read_until_closed(std::chrono::seconds(5));
  CHECK_THAT(refused, Catch::StartsWith("HTTP/1.1 503"));
  CHECK_THAT(refused, Catch::Contains("Retry-After: 1"));
  CHECK_THAT(refused, Catch::Contains("at most 2 HTTP connections at once (max_connections)"));

  held.clear();  // the server serves again once they are gone
  httplib::Client http(served.endpoints().http);
  const SteadyTime give_up = steady_now() + std::chrono::seconds(10);
  int status = 0;
  while (status != 200 && steady_now() < give_up) {
    auto health = http.Get("/health");
    if (health) status = health->status;
  }
  CHECK(status == 200);
}
