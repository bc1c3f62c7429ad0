#include "pea/pea_handle.hpp"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pea/pea.hpp"

namespace jflow {
namespace {

class ThreadPea final : public PeaHandle {
 public:
  ThreadPea(zmq::context_t& context, std::string control_endpoint, std::string name,
            const DriverRegistry& drivers)
      : thread_([this, &context, &drivers, control_endpoint = std::move(control_endpoint),
                 name = std::move(name)]() mutable {
          int code = 1;
          try {
            code = Pea(context, std::move(control_endpoint), name, drivers).run();
          } catch (const std::exception& e) {
            log(name, LogLevel::error, std::string("pea thread ended by exception: ") + e.what());
          }
          exit_code_.store(code);
          finished_.store(true);
        }) {}
  ~ThreadPea() override { reap(); }

  std::optional<PeaEnd> ended() override {
    if (!finished_.load()) return std::nullopt;
    int code = exit_code_.load();
    return code == 0 ? PeaEnd::stopped() : PeaEnd::exited(code);
  }
  void kill() override {}
  void reap() override {
    if (thread_.joinable()) thread_.join();
  }
  const char* runtime() const override { return "thread"; }

 private:
  std::atomic<bool> finished_{false};
  std::atomic<int> exit_code_{0};
  std::thread thread_;  // last: starts after the flags exist
};

class ProcessPea final : public PeaHandle {
 public:
  explicit ProcessPea(pid_t pid) : pid_(pid) {}
  ~ProcessPea() override {
    if (!how_.has_value()) {
      kill();
      reap();
    }
  }

  std::optional<PeaEnd> ended() override {
    if (!how_) check(WNOHANG);
    return how_;
  }
  void kill() override {
    if (!how_) ::kill(pid_, SIGKILL);
  }
  void reap() override {
    if (!how_) check(0);
  }
  int pid() const override { return pid_; }
  const char* runtime() const override { return "process"; }

 private:
  void check(int flags) {
    int status = 0;
    pid_t r = ::waitpid(pid_, &status, flags);
    if (r == 0) return;
    if (r < 0) {
      how_ = PeaEnd::lost(std::string("lost track of the process: ") + std::strerror(errno));
    } else if (WIFEXITED(status)) {
      how_ = PeaEnd::exited(WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
      how_ = PeaEnd::killed(WTERMSIG(status));
    }
  }

  pid_t pid_;
  std::optional<PeaEnd> how_;
};

}  // namespace

std::unique_ptr<PeaHandle> start_thread_pea(zmq::context_t& context, std::string control_endpoint,
                                            std::string name, const DriverRegistry& drivers) {
  return std::make_unique<ThreadPea>(context, std::move(control_endpoint), std::move(name),
                                     drivers);
}

std::unique_ptr<PeaHandle> start_process_pea(const std::filesystem::path& executable,
                                             std::string control_endpoint, std::string name,
                                             const std::vector<std::string>& extra_env,
                                             int output_fd, std::optional<LogSettings> log) {
  // Everything the child needs is prepared before fork: after fork only async-signal-safe calls.
  const LogSettings logging = log ? *log : log_settings();
  std::vector<std::string> args = {executable.string(),
                                   "pea",
                                   "--control",
                                   control_endpoint,
                                   "--name",
                                   name,
                                   "--log-level",
                                   std::string(log_level_name(logging.level)),
                                   "--log-format",
                                   std::string(log_format_name(logging.format))};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment(extra_env);
  for (char** entry = environ; *entry != nullptr; ++entry) environment.emplace_back(*entry);
  std::vector<char*> envp;
  for (std::string& entry : environment) envp.push_back(entry.data());
  envp.push_back(nullptr);
  pid_t parent = ::getpid();
  // vfork: the child borrows this process's memory until it execs, so no page tables are copied
  // (fork of a large orchestrator took milliseconds per pea, and a flow starts them one by one).
  // The child only makes system calls (prctl, getppid, dup2, execve, _exit), writes nothing and
  // returns nowhere, which is what vfork allows.
  pid_t pid = ::vfork();
  if (pid < 0) throw std::runtime_error(std::string("vfork failed: ") + std::strerror(errno));
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);  // the parent died before prctl took effect
    if (output_fd >= 0) {
      ::dup2(output_fd, STDOUT_FILENO);
      ::dup2(output_fd, STDERR_FILENO);
    }
    ::execve(argv[0], argv.data(), envp.data());
    ::_exit(127);
  }
  return std::make_unique<ProcessPea>(pid);
}

std::filesystem::path find_jflow_executable() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("JFLOW_EXECUTABLE"); env && *env) return env;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    if (self.filename() == "jflow") return self;
    fs::path beside = self.parent_path() / "jflow";
    if (fs::exists(beside, ec)) return beside;
  }
#ifdef JFLOW_BUILD_BINARY
  if (fs::exists(JFLOW_BUILD_BINARY, ec)) return JFLOW_BUILD_BINARY;
#endif
  if (const char* path = std::getenv("PATH")) {
    std::string_view rest(path);
    while (!rest.empty()) {
      auto colon = rest.find(':');
      fs::path candidate = fs::path(rest.substr(0, colon)) / "jflow";
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  return "jflow";
}

}  // namespace jflow
