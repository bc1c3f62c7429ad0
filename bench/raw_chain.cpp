#include "raw_chain.hpp"

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace jflow::bench {
namespace {

// A single-frame message: data messages always have two frames, so a hop cannot mistake one.
constexpr std::string_view kEndOfStream = "jflow-bench-end-of-stream";
constexpr auto kHopStartTimeout = std::chrono::seconds(10);
constexpr auto kStallTimeout = std::chrono::seconds(10);
constexpr auto kStopTimeout = std::chrono::seconds(5);

std::runtime_error system_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

int ms_until(BenchClock::time_point deadline) {
  auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - BenchClock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

bool is_end_of_stream(const zmq::message_t& frame) {
  return !frame.more() && frame.to_string_view() == kEndOfStream;
}

// Reads one '\n'-terminated line from `fd` before `deadline`; nullopt on EOF or timeout.
std::optional<std::string> read_line(int fd, BenchClock::time_point deadline) {
  std::string line;
  char c = 0;
  while (true) {
    pollfd item{fd, POLLIN, 0};
    int ready = ::poll(&item, 1, ms_until(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if (c == '\n') return line;
    line.push_back(c);
  }
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by ") + strsignal(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

// Waits until `pid` exits or `deadline` passes; returns its wait status, or nullopt if it is
// still running. A pidfd lets us wait on the exit as an event; kernels without one get a short
// polling loop instead.
std::optional<int> wait_exit(pid_t pid, BenchClock::time_point deadline) {
  int status = 0;
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd item{pidfd, POLLIN, 0};
    while (::poll(&item, 1, ms_until(deadline)) < 0 && errno == EINTR) {
    }
    ::close(pidfd);
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    return std::nullopt;
  }
  while (true) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    if (BenchClock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

int run_raw_hop(const std::string& out_endpoint) {
  try {
    zmq::context_t context(1);
    zmq::socket_t in(context, zmq::socket_type::pull);
    zmq::socket_t out(context, zmq::socket_type::push);
    in.set(zmq::sockopt::linger, 0);
    // Linger lets end-of-stream leave before close; the bench proves its delivery by receiving it.
    out.set(zmq::sockopt::linger, 2000);
    out.set(zmq::sockopt::reconnect_ivl, 10);
    in.bind("tcp://127.0.0.1:*");
    out.connect(out_endpoint);
    std::string line = in.get(zmq::sockopt::last_endpoint) + "\n";
    if (::write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      std::cerr << "raw hop: cannot report endpoint: " << std::strerror(errno) << "\n";
      return 1;
    }
    // Frames move from socket to socket as they are, without copying their bytes: the same
    // zero-copy forwarding a jflow pass-through pea does with bodies.
    bool first_frame = true;
    while (true) {
      zmq::message_t frame;
      (void)in.recv(frame);
      bool more = frame.more();
      bool done = first_frame && is_end_of_stream(frame);
      (void)out.send(frame, more ? zmq::send_flags::sndmore : zmq::send_flags::none);
      if (done) return 0;
      first_frame = !more;
    }
  } catch (const std::exception& e) {
    std::cerr << "raw hop: " << e.what() << "\n";
    return 1;
  }
}

RawChain::RawChain(zmq::context_t& context, std::size_t hops,
                   const std::filesystem::path& executable)
    : push_(context, zmq::socket_type::push), pull_(context, zmq::socket_type::pull) {
  push_.set(zmq::sockopt::linger, 0);
  pull_.set(zmq::sockopt::linger, 0);
  push_.set(zmq::sockopt::reconnect_ivl, 10);
  pull_.bind("tcp://127.0.0.1:*");
  // Hops start from the end of the chain backwards, so each one can be told the endpoint of the
  // hop after it and connects to a socket that is already bound.
  std::string next = pull_.get(zmq::sockopt::last_endpoint);
  try {
    for (std::size_t i = 0; i < hops; ++i) {
      hops_.insert(hops_.begin(), spawn_hop(executable, next));
      next = hops_.front().endpoint;
    }
    push_.connect(next);
  } catch (...) {
    kill_all();
    throw;
  }
}

RawChain::~RawChain() {
  kill_all();
}

RawChain::Hop RawChain::spawn_hop(const std::filesystem::path& executable,
                                  const std::string& out_endpoint) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw system_error("raw chain: pipe2");
  // Everything the child needs is prepared before fork: between fork and exec only
  // async-signal-safe calls are allowed in a process that already runs libzmq's threads.
  std::string path = executable.string();
  std::string flag(kRawHopFlag);
  std::string out = out_endpoint;
  char* argv[] = {path.data(), flag.data(), out.data(), nullptr};
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    throw system_error("raw chain: fork");
  }
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);  // dup2 clears close-on-exec on the copy
    // If the bench dies without reaping us, the kernel kills the hop instead of leaving it behind.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    ::execv(argv[0], argv);
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  Hop hop{pid, {}};
  auto endpoint = read_line(pipe_fds[0], BenchClock::now() + kHopStartTimeout);
  ::close(pipe_fds[0]);
  if (!endpoint || endpoint->empty()) {
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    throw std::runtime_error(
        "raw chain: hop (pid " + std::to_string(pid) + ") reported no endpoint within " +
        std::to_string(kHopStartTimeout.count()) + "s; it " + describe_exit(status));
  }
  hop.endpoint = *endpoint;
  return hop;
}

Measurement RawChain::run(std::string_view envelope, std::string_view body, std::size_t requests,
                          std::size_t window) {
  // The first bytes of each envelope frame carry a sequence number, so the bench can check that
  // nothing was lost or reordered; the hops never look inside.
  std::string envelope_template(envelope);
  if (envelope_template.size() < sizeof(std::uint64_t)) envelope_template.resize(8, '\0');

  Measurement m;
  m.requests = requests;
  m.latencies_ns.reserve(requests);
  std::vector<BenchClock::time_point> sent_at(requests);
  std::size_t sent = 0;
  std::size_t received = 0;
  bool push_blocked = false;
  auto start = BenchClock::now();
  auto last_progress = start;
  while (received < requests) {
    push_blocked = false;
    while (sent < requests && sent - received < window) {
      zmq::message_t head(envelope_template.data(), envelope_template.size());
      std::uint64_t seq = sent;
      std::memcpy(head.data(), &seq, sizeof seq);
      sent_at[sent] = BenchClock::now();
      if (!push_.send(head, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
        push_blocked = true;
        break;
      }
      // PUSH queues a multipart message atomically: once the first frame went, so does this one.
      (void)push_.send(zmq::message_t(body.data(), body.size()), zmq::send_flags::none);
      ++sent;
    }
    zmq::pollitem_t items[] = {
        {pull_.handle(), 0, ZMQ_POLLIN, 0},
        {push_.handle(), 0, static_cast<short>(push_blocked ? ZMQ_POLLOUT : 0), 0},
    };
    zmq::poll(items, 2, std::chrono::milliseconds(ms_until(last_progress + kStallTimeout)));
    // Drain everything that arrived before polling again: one wake-up, many messages.
    zmq::message_t head;
    zmq::message_t tail;
    while (pull_.recv(head, zmq::recv_flags::dontwait)) {
      if (!head.more() || !pull_.recv(tail, zmq::recv_flags::dontwait) || tail.more())
        throw std::runtime_error("raw chain: a reply did not have exactly 2 frames");
      std::uint64_t seq = 0;
      std::memcpy(&seq, head.data(), sizeof seq);
      if (seq != received) {
        throw std::runtime_error("raw chain: expected message " + std::to_string(received) +
                                 ", got " + std::to_string(seq));
      }
      m.latencies_ns.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(BenchClock::now() - sent_at[seq])
              .count());
      ++received;
      last_progress = BenchClock::now();
    }
    if (BenchClock::now() - last_progress >= kStallTimeout) {
      throw std::runtime_error("raw chain stalled: " + std::to_string(received) + " of " +
                               std::to_string(requests) + " replies, none for " +
                               std::to_string(kStallTimeout.count()) + "s");
    }
  }
  m.seconds = std::chrono::duration<double>(BenchClock::now() - start).count();
  return m;
}

void RawChain::stop() {
  if (hops_.empty()) return;
  auto deadline = BenchClock::now() + kStopTimeout;
  std::string problem;
  push_.set(zmq::sockopt::sndtimeo, ms_until(deadline));
  pull_.set(zmq::sockopt::rcvtimeo, ms_until(deadline));
  if (!push_.send(zmq::buffer(kEndOfStream), zmq::send_flags::none)) {
    problem = "could not send end-of-stream to the first hop";
  } else {
    zmq::message_t frame;
    bool came_back = false;
    while (!came_back && pull_.recv(frame)) came_back = is_end_of_stream(frame);
    if (!came_back) problem = "end-of-stream did not come back through the chain";
  }
  for (Hop& hop : hops_) {
    auto status = wait_exit(hop.pid, deadline);
    if (!status) {
      if (problem.empty()) problem = "hop pid " + std::to_string(hop.pid) + " did not exit";
      continue;  // kill_all() below reaps it
    }
    if (!(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) && problem.empty())
      problem = "hop pid " + std::to_string(hop.pid) + " " + describe_exit(*status);
    hop.pid = 0;
  }
  kill_all();
  hops_.clear();
  if (!problem.empty()) throw std::runtime_error("raw chain stop: " + problem);
}

std::vector<pid_t> RawChain::pids() const {
  std::vector<pid_t> out;
  for (const Hop& hop : hops_) out.push_back(hop.pid);
  return out;
}

void RawChain::kill_all() noexcept {
  for (Hop& hop : hops_) {
    if (hop.pid <= 0) continue;
    ::kill(hop.pid, SIGKILL);
    int status = 0;
    while (::waitpid(hop.pid, &status, 0) < 0 && errno == EINTR) {
    }
    hop.pid = 0;
  }
}

}  // namespace jflow::bench
