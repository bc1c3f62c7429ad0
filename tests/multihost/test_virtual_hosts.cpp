// VirtualHosts: hosts made of network namespaces reach each other and the orchestrator's address
// over tcp, a cut host is unreachable until restored, kill_host ends every process in it, and
// nothing is left behind — neither by a finished VirtualHosts nor by a dead earlier run.
// Without root or namespaces the tests pass with a warning that says why (Catch2 2.x has no SKIP).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <algorithm>
#include <charconv>

#include "support/test_support.hpp"
#include "support/virtual_hosts.hpp"

using Catch::Matchers::Contains;
using jflow::test::VirtualHosts;

namespace {

constexpr auto kWait = std::chrono::seconds(5);

sockaddr_in socket_address(const char* ip, int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  ::inet_pton(AF_INET, ip, &address.sin_addr);
  return address;
}

// Child bodies keep to system calls: they run in a fork of a process that may have threads.

// Listens on ip:0, writes "listening PORT\n" to stdout, then accepts `count` connections, each
// within `timeout_ms`. 0 when all came, 1 otherwise.
int listen_and_accept(const char* ip, int count, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = socket_address(ip, 0);
  socklen_t length = sizeof address;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(fd, 8) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return 2;
  char line[32] = "listening ";
  auto [end, ec] = std::to_chars(line + 10, line + 30, ntohs(address.sin_port));
  *end++ = '\n';
  if (::write(STDOUT_FILENO, line, static_cast<std::size_t>(end - line)) != end - line) return 2;
  for (int i = 0; i < count; ++i) {
    pollfd item{fd, POLLIN, 0};
    if (::poll(&item, 1, timeout_ms) != 1) return 1;
    int peer = ::accept(fd, nullptr, nullptr);
    if (peer < 0) return 1;
    ::close(peer);
  }
  return 0;
}

// 0 when a tcp connection to ip:port is made within `timeout_ms`, 1 when not.
int connect_within(const char* ip, int port, int timeout_ms) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  if (fd < 0) return 2;
  sockaddr_in address = socket_address(ip, port);
  int rc = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  int result = 1;
  if (rc == 0) {
    result = 0;
  } else if (errno == EINPROGRESS) {
    pollfd item{fd, POLLOUT, 0};
    int error = 0;
    socklen_t length = sizeof error;
    if (::poll(&item, 1, timeout_ms) == 1 &&
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 && error == 0)
      result = 0;
  }
  ::close(fd);
  return result;
}

int port_of(const std::string& listening_line) {
  return std::stoi(listening_line.substr(std::string("listening ").size()));
}

// The exit code of a child of `hosts`, failing the test if it does not exit in time.
int exit_code(VirtualHosts& hosts, pid_t pid) {
  auto status = hosts.wait_exit(pid, VirtualHosts::Clock::now() + kWait);
  REQUIRE(status.has_value());
  REQUIRE(WIFEXITED(*status));
  return WEXITSTATUS(*status);
}

// Whether a tcp connection from host `from` to ip:port succeeds within `timeout_ms`.
bool reaches(VirtualHosts& hosts, std::size_t from, const std::string& ip, int port,
             int timeout_ms = 1000) {
  pid_t pid = hosts.fork_in_host(
      from, [&ip, port, timeout_ms] { return connect_within(ip.c_str(), port, timeout_ms); });
  return exit_code(hosts, pid) == 0;
}

bool has_namespace(const std::string& name) {
  auto names = VirtualHosts::namespaces();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST_CASE("virtual hosts reach each other and the orchestrator, and a cut host reaches nothing",
          "[multihost]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  std::vector<std::string> names;
  {
    VirtualHosts hosts(3);
    REQUIRE(hosts.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      names.push_back(hosts.name(i));
      CHECK(has_namespace(hosts.name(i)));
    }
    CHECK(hosts.address(0) != hosts.address(1));
    CHECK_THAT(hosts.orchestrator_address(), Contains("10.213."));

    // Host 0 and the orchestrator (this process, in the root namespace) reach host 1.
    const std::string ip1 = hosts.address(1);
    pid_t listener =
        hosts.fork_in_host(1, [&ip1] { return listen_and_accept(ip1.c_str(), 2, 5000); });
    int port =
        port_of(hosts.wait_for_line(listener, "listening ", VirtualHosts::Clock::now() + kWait));
    CHECK(reaches(hosts, 0, ip1, port));
    CHECK(connect_within(ip1.c_str(), port, 1000) == 0);
    CHECK(exit_code(hosts, listener) == 0);

    // Host 2 reaches the orchestrator's address, where this process listens.
    const std::string orchestrator = hosts.orchestrator_address();
    int listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in bound = socket_address(orchestrator.c_str(), 0);
    socklen_t length = sizeof bound;
    REQUIRE(::bind(listen_fd, reinterpret_cast<sockaddr*>(&bound), sizeof bound) == 0);
    REQUIRE(::listen(listen_fd, 4) == 0);
    REQUIRE(::getsockname(listen_fd, reinterpret_cast<sockaddr*>(&bound), &length) == 0);
    CHECK(reaches(hosts, 2, orchestrator, ntohs(bound.sin_port)));
    pollfd pending{listen_fd, POLLIN, 0};
    CHECK(::poll(&pending, 1, 0) == 1);  // the connection is waiting to be accepted
    ::close(listen_fd);

    // A cut host neither is reached nor reaches; restored, it is reachable again.
    pid_t cut_listener =
        hosts.fork_in_host(1, [&ip1] { return listen_and_accept(ip1.c_str(), 1, 8000); });
    int cut_port = port_of(
        hosts.wait_for_line(cut_listener, "listening ", VirtualHosts::Clock::now() + kWait));
    hosts.cut_host(1);
    CHECK_FALSE(reaches(hosts, 0, ip1, cut_port, 500));
    CHECK(connect_within(ip1.c_str(), cut_port, 500) == 1);
    hosts.restore_host(1);
    CHECK(reaches(hosts, 0, ip1, cut_port, 3000));
    CHECK(exit_code(hosts, cut_listener) == 0);

    // spawn runs a program inside the host, with the environment it is given; kill_host ends
    // every process there.
    pid_t shell = hosts.spawn(0,
                              {"/bin/sh", "-c",
                               "ip -o -4 addr show | grep -qF \"inet $JF_ADDR/\" && echo inside "
                               "$JF_ADDR || echo outside; exec sleep 60"},
                              {"JF_ADDR=" + hosts.address(0)});
    CHECK(hosts.wait_for_line(shell, "inside", VirtualHosts::Clock::now() + kWait) ==
          "inside " + hosts.address(0));
    pid_t root = hosts.spawn(VirtualHosts::kOrchestrator,
                             {"/bin/sh", "-c",
                              "ip -o -4 addr show | grep -qF \"inet $JF_ADDR/\" && echo root || "
                              "echo elsewhere"},
                             {"JF_ADDR=" + hosts.orchestrator_address()});
    CHECK(hosts.wait_for_line(root, "", VirtualHosts::Clock::now() + kWait) == "root");
    CHECK(exit_code(hosts, root) == 0);
    // A process that ends without the line awaited is reported with what it wrote.
    pid_t quiet = hosts.spawn(1, {"/bin/sh", "-c", "echo not-it"});
    CHECK_THROWS_WITH(hosts.wait_for_line(quiet, "listening", VirtualHosts::Clock::now() + kWait),
                      Contains("closed its output") && Contains("not-it"));
    CHECK(exit_code(hosts, quiet) == 0);
    pid_t sleeper = hosts.spawn(0, {"sleep", "60"});
    hosts.kill_host(0);
    CHECK_FALSE(jflow::test::process_exists(shell));
    CHECK_FALSE(jflow::test::process_exists(sleeper));

    // A host moved to a new address (a recreated Kubernetes pod) has only that one, and is
    // reached there.
    const std::string old_address = hosts.address(2);
    hosts.readdress_host(2);
    const std::string ip2 = hosts.address(2);
    CHECK(ip2 != old_address);
    pid_t moved = hosts.spawn(
        2, {"/bin/sh", "-c", "ip -o -4 addr show | grep -F \" 10.213.\" | grep -c inet"});
    CHECK(hosts.wait_for_line(moved, "", VirtualHosts::Clock::now() + kWait) == "1");
    CHECK(exit_code(hosts, moved) == 0);
    pid_t moved_listener =
        hosts.fork_in_host(2, [&ip2] { return listen_and_accept(ip2.c_str(), 1, 5000); });
    int moved_port = port_of(
        hosts.wait_for_line(moved_listener, "listening ", VirtualHosts::Clock::now() + kWait));
    CHECK(reaches(hosts, 0, ip2, moved_port));
    CHECK(exit_code(hosts, moved_listener) == 0);
    CHECK_THROWS(hosts.readdress_host(2));
  }
  for (const std::string& name : names) CHECK_FALSE(has_namespace(name));
}

TEST_CASE("virtual hosts delete the leftovers of a dead earlier run", "[multihost]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  // A pid that no longer exists: a child that has exited and been reaped.
  pid_t dead = ::fork();
  REQUIRE(dead >= 0);
  if (dead == 0) ::_exit(0);
  int status = 0;
  REQUIRE(::waitpid(dead, &status, 0) == dead);
  const std::string ns = "jf" + std::to_string(dead) + "-0";
  const std::string bridge = "jfb" + std::to_string(dead);
  VirtualHosts::ip({"netns", "add", ns});
  VirtualHosts::ip({"link", "add", bridge, "type", "bridge"});
  REQUIRE(has_namespace(ns));
  {
    VirtualHosts hosts(1);
    CHECK_FALSE(has_namespace(ns));
    CHECK_THROWS(VirtualHosts::ip({"link", "show", bridge}));
    CHECK(has_namespace(hosts.name(0)));
    // One instance per process: a second one would reuse the first one's names.
    CHECK_THROWS_AS(VirtualHosts(1), std::runtime_error);
    CHECK(has_namespace(hosts.name(0)));
  }
  CHECK_FALSE(has_namespace("jf" + std::to_string(::getpid()) + "-0"));
}
