// JflowChild: the jflow binary as a running child process whose standard input the test writes
// a piece at a time and whose output (stdout and stderr together) it reads as it comes, waiting
// for a given text with a deadline — for tests of what jflow does while its input is still open.
#pragma once

#include <catch2/catch.hpp>

#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace jflow::test {

class JflowChild {
 public:
  // `environment`: NAME=VALUE entries the child gets on top of (or instead of) the test's own.
  explicit JflowChild(std::vector<std::string> arguments,
                      std::vector<std::string> environment = {}) {
    // A child that exits early must fail the test's write, not kill the test with SIGPIPE.
    ::signal(SIGPIPE, SIG_IGN);
    arguments.insert(arguments.begin(), JFLOW_BINARY);
    std::vector<char*> argv;
    for (std::string& a : arguments) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Built before fork: the child only execs.
    for (char** entry = environ; *entry; ++entry) {
      const std::string text = *entry;
      const std::string name = text.substr(0, text.find('=') + 1);
      bool replaced = false;
      for (const std::string& mine : environment) replaced |= mine.rfind(name, 0) == 0;
      if (!replaced) environment.push_back(text);
    }
    std::vector<char*> envp;
    for (std::string& e : environment) envp.push_back(e.data());
    envp.push_back(nullptr);
    int in[2], out[2];
    REQUIRE(::pipe(in) == 0);
    REQUIRE(::pipe(out) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::dup2(out[1], STDERR_FILENO);
      for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
      ::execve(argv[0], argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~JflowChild() {
    close_stdin();
    if (pid_ > 0 && exit_code_ == kRunning) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    if (stdout_ >= 0) ::close(stdout_);
  }
  JflowChild(const JflowChild&) = delete;
  JflowChild& operator=(const JflowChild&) = delete;

  int pid() const { return pid_; }
  const std::string& output() const { return output_; }

  void write(const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
      const ssize_t n = ::write(stdin_, text.data() + done, text.size() - done);
      REQUIRE(n > 0);
      done += static_cast<std::size_t>(n);
    }
  }
  void close_stdin() {
    if (stdin_ >= 0) ::close(stdin_);
    stdin_ = -1;
  }

  // Reads output until it contains `text` (true) or the deadline passes or the output ends.
  bool wait_for(const std::string& text, std::chrono::milliseconds deadline) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (output_.find(text) == std::string::npos) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          until - std::chrono::steady_clock::now());
      if (left.count() <= 0 || !read_some(static_cast<int>(left.count()))) return false;
    }
    return true;
  }

  // Closes stdin, reads the output to its end and returns the exit code (-1: killed by a signal).
  int finish() {
    close_stdin();
    while (read_some(-1)) {
    }
    int status = 0;
    ::waitpid(pid_, &status, 0);
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return exit_code_;
  }

  // The pid of the child process of jflow running `jflow pea ... --name NAME`, or 0.
  int pea_pid(const std::string& name) const {
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return 0;
    int found = 0;
    while (dirent* entry = ::readdir(proc)) {
      const int pid = std::atoi(entry->d_name);
      if (pid <= 0) continue;
      std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
      std::string line;
      std::getline(stat, line);
      const std::size_t paren = line.rfind(')');
      if (paren == std::string::npos) continue;
      std::istringstream fields(line.substr(paren + 2));
      std::string state;
      int parent = 0;
      fields >> state >> parent;
      if (parent != pid_) continue;
      std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline");
      std::string args((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
      if (args.find(std::string("--name") + '\0' + name + '\0') != std::string::npos) found = pid;
    }
    ::closedir(proc);
    return found;
  }

 private:
  static constexpr int kRunning = -2;
  // Waits up to timeout_ms (-1: forever) for output; false at its end or on timeout.
  bool read_some(int timeout_ms) {
    pollfd fd{stdout_, POLLIN, 0};
    if (::poll(&fd, 1, timeout_ms) <= 0) return false;
    char buffer[4096];
    const ssize_t n = ::read(stdout_, buffer, sizeof buffer);
    if (n <= 0) return false;
    output_.append(buffer, static_cast<std::size_t>(n));
    return true;
  }

  int pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
  int exit_code_ = kRunning;
  std::string output_;
};

}  // namespace jflow::test
