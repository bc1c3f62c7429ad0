#include "flow/pea_output_relay.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include "base/log_output.hpp"

namespace jflow::detail {
namespace {

// How long the relay waits, once stopping, for the pipes of exited peas to end.
constexpr auto kDrainLimit = std::chrono::seconds(2);

std::system_error errno_error(const char* what) {
  return std::system_error(errno, std::generic_category(), what);
}

}  // namespace

PeaOutputRelay::PeaOutputRelay() {
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) throw errno_error("eventfd for the peas' output");
  thread_ = std::thread([this] { run(); });
}

PeaOutputRelay::~PeaOutputRelay() {
  stopping_.store(true);
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(wake_fd_);
}

int PeaOutputRelay::open_pipe(std::string pea) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw errno_error("pipe for a pea's output");
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  {
    std::lock_guard lock(mutex_);
    added_.push_back({fds[0], std::move(pea), LineSplitter()});
  }
  const std::uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  return fds[1];
}

void PeaOutputRelay::run() {
  std::vector<Pipe> pipes;
  std::vector<pollfd> items;
  std::chrono::steady_clock::time_point give_up{};
  bool stopping = false;
  while (true) {
    {
      std::lock_guard lock(mutex_);
      for (Pipe& pipe : added_) pipes.push_back(std::move(pipe));
      added_.clear();
    }
    if (!stopping && stopping_.load()) {
      stopping = true;
      give_up = std::chrono::steady_clock::now() + kDrainLimit;
    }
    int timeout_ms = -1;
    if (stopping) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          give_up - std::chrono::steady_clock::now());
      if (pipes.empty() || left.count() <= 0) break;
      timeout_ms = static_cast<int>(left.count()) + 1;
    }
    items.assign(1, {wake_fd_, POLLIN, 0});
    for (const Pipe& pipe : pipes) items.push_back({pipe.fd, POLLIN, 0});
    if (::poll(items.data(), items.size(), timeout_ms) < 0 && errno != EINTR) break;
    if (items[0].revents != 0) {
      std::uint64_t count;
      (void)!::read(wake_fd_, &count, sizeof count);
    }
    // Backwards, so that erasing an ended pipe leaves the indexes still to visit unchanged.
    for (std::size_t i = pipes.size(); i-- > 0;) {
      if (items[i + 1].revents == 0) continue;
      if (!relay(pipes[i])) {
        ::close(pipes[i].fd);
        pipes.erase(pipes.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
  for (Pipe& pipe : pipes) {
    relay(pipe);  // what is there now, without waiting for more
    pipe.lines.finish([&](std::string_view line) { write_line(pipe, line); });
    ::close(pipe.fd);
  }
}

bool PeaOutputRelay::relay(Pipe& pipe) {
  char buffer[8192];
  const auto write = [&](std::string_view line) { write_line(pipe, line); };
  while (true) {
    const ssize_t got = ::read(pipe.fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    if (got == 0) {
      pipe.lines.finish(write);
      return false;
    }
    pipe.lines.feed(std::string_view(buffer, static_cast<std::size_t>(got)), write);
  }
}

void PeaOutputRelay::write_line(const Pipe& pipe, std::string_view line) {
  log_forwarded(pipe.pea, "", line);
}

}  // namespace jflow::detail
