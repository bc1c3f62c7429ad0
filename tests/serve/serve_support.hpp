// Helpers for the serving tests: a Server running in-process on a thread of its own (port-0
// endpoints, read back once it listens), and a `jflow` process whose stdout lines can be awaited
// with a deadline. Nothing here sleeps to synchronise: every wait is for an event, with a limit.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.hpp"
#include "serve/serve_server.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

namespace jflow::test {

// A flow of one thread pod, in-process: `uses` as in FlowBuilder::add.
inline FlowSpec one_pod_flow(const std::string& name, const std::string& uses = "_pass") {
  return FlowBuilder().transport(Transport::inproc).add(name, uses).build();
}

inline serve::ServeOptions any_port_options() {
  serve::ServeOptions options;
  options.zmq_address = "tcp://127.0.0.1:*";
  options.http_address = "127.0.0.1:0";
  options.flow = test_options();
  return options;
}

// A Server serving on its own thread. The constructor returns once it listens (or throws what
// serve() threw); stop_and_join() stops it and waits for serve() to return.
class ServerThread {
 public:
  explicit ServerThread(FlowSpec spec, serve::ServeOptions options = any_port_options())
      : server_(std::move(spec), std::move(options)) {
    std::promise<serve::Endpoints> ready;
    std::future<serve::Endpoints> listening = ready.get_future();
    thread_ = std::thread([this, &ready] {
      bool told = false;
      try {
        server_.serve([&](const serve::Endpoints& endpoints) {
          told = true;
          ready.set_value(endpoints);
        });
      } catch (...) {
        if (!told)
          ready.set_exception(std::current_exception());
        else
          error_ = std::current_exception();
      }
    });
    if (listening.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
      server_.stop();
      thread_.join();
      throw std::runtime_error("the server did not start within 20 s");
    }
    try {
      endpoints_ = listening.get();
    } catch (...) {
      thread_.join();
      throw;
    }
  }
  ~ServerThread() { stop_and_join(); }

  const serve::Endpoints& endpoints() const { return endpoints_; }
  serve::Server& server() { return server_; }
  void stop() { server_.stop(); }
  void stop_and_join() {
    if (!thread_.joinable()) return;
    server_.stop();
    thread_.join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  serve::Server server_;
  std::thread thread_;
  serve::Endpoints endpoints_;
  std::exception_ptr error_;
};

// A `jflow` child process with its stdout (and stderr) on a pipe. With own_group it leads a
// process group of its own (as a shell job does), so a test can signal the whole group the way a
// terminal's Ctrl-C does: kill(-pid(), SIGINT).
class JflowProcess {
 public:
  // `input`, when given, is what the process reads on stdin (then end of file).
  explicit JflowProcess(const std::vector<std::string>& args, bool own_group = false,
                        const std::optional<std::string>& input = std::nullopt) {
    int fds[2], in[2];
    if (::pipe2(fds, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0)
      throw std::runtime_error("pipe2 failed");
    std::vector<std::string> argv_text{JFLOW_BINARY};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      if (own_group) ::setpgid(0, 0);
      if (input) ::dup2(in[0], STDIN_FILENO);
      ::dup2(fds[1], STDOUT_FILENO);
      ::dup2(fds[1], STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    if (own_group) ::setpgid(pid_, pid_);  // either call wins the race; both ask the same
    ::close(fds[1]);
    ::close(in[0]);
    // A test's input is small: it fits the pipe's buffer, so this write does not wait.
    if (input &&
        ::write(in[1], input->data(), input->size()) != static_cast<ssize_t>(input->size()))
      throw std::runtime_error("cannot write the child's input");
    ::close(in[1]);
    out_ = fds[0];
  }
  ~JflowProcess() {
    if (pid_ > 0 && !exit_code_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) ::close(out_);
  }

  int pid() const { return pid_; }
  const std::string& output() const { return text_; }

  // Reads output until a line starting with `prefix` has arrived; returns the rest of that line.
  std::optional<std::string> wait_line(const std::string& prefix, Duration limit) {
    const SteadyTime until = steady_now() + limit;
    for (;;) {
      std::istringstream lines(text_);
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) == 0 && lines.good()) return line.substr(prefix.size());
      }
      if (!read_some(until)) return std::nullopt;
    }
  }

  // Waits for the process to exit (reading its output meanwhile); its exit code, or nullopt.
  std::optional<int> wait_exit(Duration limit) {
    const SteadyTime until = steady_now() + limit;
    while (read_some(until)) {
    }
    while (!exit_code_) {
      int status = 0;
      const pid_t done = ::waitpid(pid_, &status, WNOHANG);
      if (done == pid_) {
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      if (steady_now() >= until) return std::nullopt;
      ::poll(nullptr, 0, 10);  // the child closed its output already; it is exiting
    }
    return exit_code_;
  }

 private:
  // Reads what is available, waiting until `until`; false at end of output or on the deadline.
  bool read_some(SteadyTime until) {
    pollfd item{out_, POLLIN, 0};
    const int ready = ::poll(&item, 1, static_cast<int>(poll_timeout_ms(until, 60000)));
    if (ready <= 0) return false;
    char buffer[4096];
    const ssize_t n = ::read(out_, buffer, sizeof buffer);
    if (n <= 0) return false;
    text_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  int pid_ = -1;
  int out_ = -1;
  std::string text_;
  std::optional<int> exit_code_;
};

}  // namespace jflow::test

namespace jflow::test {

// The bytes of a version-1 .npy file with this header dict and data (the header padded as numpy
// pads it: to a multiple of 64 bytes, ending in '\n').
inline std::string npy_bytes(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

inline std::string float_bytes(const std::vector<float>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
}

}  // namespace jflow::test
