// VirtualHosts: N "hosts" on one machine for multi-host tests and benchmarks, each a Linux network
// namespace on one L2 segment.
//
//   root namespace: bridge jfb<pid>, 10.213.X.1/24 (the orchestrator's address)
//     ├─ veth jfv<pid>-0  ⇄  netns jf<pid>-0: jfp<pid>-0 10.213.X.2/24, lo up
//     ├─ veth jfv<pid>-1  ⇄  netns jf<pid>-1: jfp<pid>-1 10.213.X.3/24, lo up
//     └─ …
//
//   if (auto why = VirtualHosts::unavailable()) { WARN(*why); return; }  // not root, no `ip` …
//   VirtualHosts hosts(3);
//   pid_t pid = hosts.spawn(0, {"/path/to/jflow", "daemon", "--bind", hosts.address(0)});
//   std::string line = hosts.wait_for_line(pid, "listening ", deadline);
//   hosts.cut_host(0);   // its veth goes down: a network partition
//   hosts.kill_host(0);  // SIGKILL every process in its namespace
//
// X comes from the pid, moved on past any subnet another live VirtualHosts holds (a lock file per
// subnet) or any address already on this machine, so parallel test processes do not clash. Names
// carry the pid, so they are unique per process; one VirtualHosts at a time per process.
// Everything is torn down by the destructor (processes killed, namespaces, veths and the bridge
// deleted), whatever the test did; leftovers of dead earlier runs (same naming scheme, a pid that
// no longer exists) are deleted at construction.
//
// External commands (`ip`) run through posix_spawn with an argument vector, never a shell.
// Processes start inside a namespace by setns(2) in the forked child before exec, so the pid
// returned is the program's own. Header-only, so benchmarks can use it without another library.
// Thread-safety: one thread at a time.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace jflow::test {

class VirtualHosts {
 public:
  using Clock = std::chrono::steady_clock;

  // Why virtual hosts cannot be made here (not root, no `ip`, namespaces, bridges or veths not
  // allowed), or nullopt when they can. Probes once per process by making and deleting a
  // namespace, a bridge and a veth pair.
  static std::optional<std::string> unavailable() {
    static const std::optional<std::string> reason = probe();
    return reason;
  }

  // The host index of the root namespace, where the orchestrator runs: spawn(kOrchestrator, …)
  // starts a process there (to compare against the same processes on one host).
  static constexpr std::size_t kOrchestrator = static_cast<std::size_t>(-1);

  // Addresses .2 to .201 of the /24; interface names stay within 15 characters.
  static constexpr std::size_t kMaxHosts = 200;

  explicit VirtualHosts(std::size_t hosts) : pid_(::getpid()) {
    if (auto why = unavailable()) throw std::runtime_error("virtual hosts: " + *why);
    if (hosts > kMaxHosts)
      throw std::invalid_argument("virtual hosts: at most " + std::to_string(kMaxHosts) + " hosts");
    if (instance_alive()) throw std::runtime_error("virtual hosts: one instance per process");
    instance_alive() = true;
    try {
      clean_leftovers();
      pick_subnet();
      bridge_ = "jfb" + std::to_string(pid_);
      ip({"link", "add", bridge_, "type", "bridge"});
      ip({"addr", "add", orchestrator_address() + "/24", "dev", bridge_});
      ip({"link", "set", bridge_, "up"});
      for (std::size_t i = 0; i < hosts; ++i) add_host();
    } catch (...) {
      teardown();
      throw;
    }
  }

  // No hosts at all, and no need for namespaces or root: only spawn(kOrchestrator, …) and the
  // output and exit helpers, so a comparison can still run its one-host half where virtual hosts
  // are unavailable.
  struct RootOnly {};
  explicit VirtualHosts(RootOnly) : pid_(::getpid()) {
    if (instance_alive()) throw std::runtime_error("virtual hosts: one instance per process");
    instance_alive() = true;
  }

  ~VirtualHosts() { teardown(); }
  VirtualHosts(const VirtualHosts&) = delete;
  VirtualHosts& operator=(const VirtualHosts&) = delete;

  std::size_t size() const { return hosts_; }
  std::string name(std::size_t i) const { return "jf" + std::to_string(pid_) + "-" + idx(i); }
  std::string address(std::size_t i) const {
    return subnet_ + std::to_string(readdressed_.count(check(i)) ? 130 + i : i + 2);
  }
  std::string orchestrator_address() const { return subnet_ + "1"; }
  // The veth end on the bridge (in the root namespace) and the one inside the host.
  std::string bridge_port(std::size_t i) const {
    return "jfv" + std::to_string(pid_) + "-" + idx(i);
  }
  std::string host_interface(std::size_t i) const {
    return "jfp" + std::to_string(pid_) + "-" + idx(i);
  }

  // Starts argv (argv[0] a path, or a name looked up in PATH) inside host i, with `env`
  // ("NAME=value") added to this process's environment. Its stdout is a pipe read by
  // wait_for_line(); stderr is this process's. The child is killed if the thread that spawned it
  // ends (PR_SET_PDEATHSIG), so spawn from a thread that outlives the children.
  pid_t spawn(std::size_t i, const std::vector<std::string>& argv,
              const std::vector<std::string>& env = {}) {
    if (argv.empty()) throw std::invalid_argument("virtual hosts: spawn with an empty argv");
    std::vector<std::string> args = argv;
    std::vector<char*> c_argv;
    for (std::string& a : args) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    std::vector<std::string> environment;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string_view entry(*e);
      bool replaced = std::any_of(env.begin(), env.end(), [&](const std::string& mine) {
        return entry.substr(0, entry.find('=') + 1) == mine.substr(0, mine.find('=') + 1);
      });
      if (!replaced) environment.emplace_back(entry);
    }
    environment.insert(environment.end(), env.begin(), env.end());
    std::vector<char*> c_env;
    for (std::string& e : environment) c_env.push_back(e.data());
    c_env.push_back(nullptr);
    return start_child(i, [&c_argv, &c_env]() {
      ::execvpe(c_argv[0], c_argv.data(), c_env.data());
      return 127;
    });
  }

  // Forks a child that enters host i's network namespace and runs `body` (its result is the exit
  // code). The child is a copy of a process that may run threads: `body` should keep to system
  // calls (socket, connect, write …), not locks or allocation. Output like spawn()'s.
  pid_t fork_in_host(std::size_t i, const std::function<int()>& body) {
    return start_child(i, body);
  }

  // The first line of `pid`'s stdout that starts with `prefix` (the whole line, without '\n').
  // Throws std::runtime_error when the deadline passes or the output ends first, with the lines
  // seen.
  std::string wait_for_line(pid_t pid, std::string_view prefix, Clock::time_point deadline) {
    Child& child = child_of(pid);
    std::string seen;
    while (true) {
      std::size_t newline;
      while ((newline = child.buffer.find('\n')) != std::string::npos) {
        std::string line = child.buffer.substr(0, newline);
        child.buffer.erase(0, newline + 1);
        if (line.compare(0, prefix.size(), prefix) == 0) return line;
        seen += "\n  " + line;
      }
      if (child.stdout_fd < 0) break;
      pollfd item{child.stdout_fd, POLLIN, 0};
      int ready = ::poll(&item, 1, ms_until(deadline));
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) {
        throw std::runtime_error("virtual hosts: no line starting '" + std::string(prefix) +
                                 "' from pid " + std::to_string(pid) +
                                 " in time; it wrote:" + seen);
      }
      char buffer[4096];
      ssize_t n = ::read(child.stdout_fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(child.stdout_fd);
        child.stdout_fd = -1;
        continue;
      }
      child.buffer.append(buffer, static_cast<std::size_t>(n));
    }
    throw std::runtime_error("virtual hosts: pid " + std::to_string(pid) +
                             " closed its output before a line starting '" + std::string(prefix) +
                             "'; it wrote:" + seen);
  }

  // Waits for a child of spawn()/fork_in_host() to exit; its wait status, or nullopt if it still
  // runs at the deadline. A reaped child is forgotten.
  std::optional<int> wait_exit(pid_t pid, Clock::time_point deadline) {
    child_of(pid);
    while (true) {
      int status = 0;
      pid_t done = ::waitpid(pid, &status, WNOHANG);
      if (done == pid || (done < 0 && errno == ECHILD)) {
        forget(pid);
        return done == pid ? status : 0;
      }
      if (Clock::now() >= deadline) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  // SIGKILLs every process in host i's namespace (ours or not) and reaps those that are ours.
  void kill_host(std::size_t i) {
    auto deadline = Clock::now() + std::chrono::seconds(5);
    while (true) {
      std::vector<pid_t> pids = netns_pids(name(check(i)));
      for (auto& [pid, child] : children_) {
        if (child.host == i) pids.push_back(pid);
      }
      if (pids.empty()) break;
      for (pid_t pid : pids) ::kill(pid, SIGKILL);
      reap_exited();
      if (Clock::now() >= deadline)
        throw std::runtime_error("virtual hosts: processes in " + name(i) + " survive SIGKILL");
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  // Host i moves to another address of the segment (10.213.X.(130+i)), as a Kubernetes pod that
  // is recreated gets a new IP: its old address is removed, and address(i) is the new one from
  // now on. Once per host (up to 124 hosts).
  void readdress_host(std::size_t i) {
    if (readdressed_.count(check(i)) || i >= 124)
      throw std::runtime_error("virtual hosts: host " + idx(i) + " cannot move again");
    const std::string old = address(i);
    readdressed_.insert(i);
    // The old one first: deleting a primary address deletes the secondaries of its subnet too.
    ip({"-n", name(i), "addr", "del", old + "/24", "dev", host_interface(i)});
    ip({"-n", name(i), "addr", "add", address(i) + "/24", "dev", host_interface(i)});
  }

  // A network partition: host i's veth goes down, so nothing reaches it and it reaches nothing.
  void cut_host(std::size_t i) { ip({"link", "set", bridge_port(check(i)), "down"}); }
  // Ends the partition.
  void restore_host(std::size_t i) { ip({"link", "set", bridge_port(check(i)), "up"}); }

  // Whether a TCP connect from host i to `address` is waiting for an answer (SYN-SENT), per the
  // kernel's own socket table (`ss` in the host's namespace).
  bool connecting_to(std::size_t i, const std::string& address) const {
    auto [code, output] = run_ip(
        {"netns", "exec", name(check(i)), "ss", "-Htn", "state", "syn-sent", "dst", address});
    if (code != 0) throw std::runtime_error("virtual hosts: ss failed: " + output);
    return !lines_of(output).empty();
  }

  // Runs `ip ARGS…`; throws std::runtime_error with its output if it fails.
  static void ip(const std::vector<std::string>& args) {
    auto [code, output] = run_ip(args);
    if (code != 0) {
      std::string command = "ip";
      for (const std::string& a : args) command += " " + a;
      throw std::runtime_error("virtual hosts: `" + command + "` failed: " + output);
    }
  }

  // Names of the network namespaces that exist now (`ip netns list`).
  static std::vector<std::string> namespaces() {
    std::vector<std::string> names;
    for (const std::string& line : lines_of(run_ip({"netns", "list"}).second))
      names.push_back(line.substr(0, line.find(' ')));  // "name (id: 3)"
    return names;
  }

 private:
  struct Child {
    std::size_t host = 0;
    int stdout_fd = -1;
    std::string buffer;
  };

  static bool& instance_alive() {
    static bool alive = false;
    return alive;
  }

  // The non-empty lines of a command's output.
  static std::vector<std::string> lines_of(const std::string& output) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < output.size()) {
      std::size_t end = output.find('\n', start);
      if (end == std::string::npos) end = output.size();
      if (end > start) lines.push_back(output.substr(start, end - start));
      start = end + 1;
    }
    return lines;
  }

  static std::string idx(std::size_t i) { return std::to_string(i); }
  std::size_t check(std::size_t i) const {
    if (i >= hosts_) throw std::out_of_range("virtual hosts: no host " + std::to_string(i));
    return i;
  }

  static int ms_until(Clock::time_point deadline) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left < 0 ? 0 : static_cast<int>(left);
  }

  static const std::string& ip_binary() {
    static const std::string path = [] {
      std::vector<std::string> dirs = {"/usr/sbin", "/sbin", "/usr/bin", "/bin"};
      if (const char* env_path = std::getenv("PATH")) {
        std::string_view p(env_path);
        while (!p.empty()) {
          std::size_t colon = p.find(':');
          dirs.insert(dirs.begin(), std::string(p.substr(0, colon)));
          p.remove_prefix(colon == std::string_view::npos ? p.size() : colon + 1);
        }
      }
      for (const std::string& dir : dirs) {
        std::string candidate = dir + "/ip";
        if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
      }
      return std::string();
    }();
    return path;
  }

  // Runs `ip ARGS…` and returns its exit code (-1 if it could not run) and its stdout+stderr.
  static std::pair<int, std::string> run_ip(const std::vector<std::string>& args) {
    if (ip_binary().empty()) return {-1, "no `ip` binary (iproute2)"};
    std::vector<std::string> all = {ip_binary()};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return {-1, std::string("pipe2: ") + std::strerror(errno)};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      return {-1, std::string("posix_spawn ip: ") + std::strerror(rc)};
    }
    std::string output;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fds[0], buffer, sizeof buffer)) != 0) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) break;
      output.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    while (!output.empty() && output.back() == '\n') output.pop_back();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
  }

  static std::optional<std::string> probe() {
    if (::geteuid() != 0) return "virtual hosts need root (network namespaces); skipped";
    if (ip_binary().empty()) return "no `ip` binary (iproute2) to make network namespaces";
    std::string tag = std::to_string(::getpid());
    std::string ns = "jf" + tag + "-probe";
    std::string bridge = "jfb" + tag + "p";
    std::string veth = "jfv" + tag + "p";
    std::optional<std::string> reason;
    auto attempt = [&reason](const std::vector<std::string>& args, const std::string& what) {
      if (reason) return;
      auto [code, output] = run_ip(args);
      if (code != 0) reason = what + " not allowed here (" + output + ")";
    };
    attempt({"netns", "add", ns}, "network namespaces (`ip netns add`)");
    attempt({"link", "add", bridge, "type", "bridge"}, "bridges (`ip link add type bridge`)");
    attempt({"link", "add", veth, "type", "veth", "peer", "name", veth + "x", "netns", ns},
            "veth pairs");
    run_ip({"link", "del", veth});
    run_ip({"link", "del", bridge});
    run_ip({"netns", "del", ns});
    return reason;
  }

  static bool pid_alive(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

  // The pid in a name of our scheme (prefix + pid + "-…" or + "p"), or 0.
  static pid_t owner_of(std::string_view name, std::string_view prefix) {
    if (name.substr(0, prefix.size()) != prefix) return 0;
    name.remove_prefix(prefix.size());
    std::size_t digits = 0;
    while (digits < name.size() && name[digits] >= '0' && name[digits] <= '9') ++digits;
    if (digits == 0 || digits > 9) return 0;
    std::string_view rest = name.substr(digits);
    if (!rest.empty() && rest.front() != '-' && rest != "p") return 0;
    return static_cast<pid_t>(std::stol(std::string(name.substr(0, digits))));
  }

  static std::vector<pid_t> netns_pids(const std::string& ns) {
    std::vector<pid_t> pids;
    auto [code, output] = run_ip({"netns", "pids", ns});
    if (code != 0) return pids;
    for (const std::string& line : lines_of(output))
      pids.push_back(static_cast<pid_t>(std::stol(line)));
    return pids;
  }

  static void kill_namespace(const std::string& ns) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      std::vector<pid_t> pids = netns_pids(ns);
      if (pids.empty()) break;
      for (pid_t pid : pids) ::kill(pid, SIGKILL);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    run_ip({"netns", "del", ns});
  }

  // Deletes namespaces and links of our naming scheme whose pid is dead — or is ours, which can
  // only be a dead earlier process that had the same pid, since one instance lives per process.
  void clean_leftovers() {
    auto stale = [this](pid_t owner) { return owner > 0 && (owner == pid_ || !pid_alive(owner)); };
    for (const std::string& ns : namespaces()) {
      if (stale(owner_of(ns, "jf"))) kill_namespace(ns);
    }
    for (const std::string& line : lines_of(run_ip({"-o", "link", "show"}).second)) {
      // "12: jfv123-0@if11: <…" → "jfv123-0"
      std::size_t colon = line.find(": ");
      if (colon == std::string::npos) continue;
      std::string link = line.substr(colon + 2);
      link = link.substr(0, std::min(link.find('@'), link.find(':')));
      if (stale(owner_of(link, "jfb")) || stale(owner_of(link, "jfv")))
        run_ip({"link", "del", link});
    }
  }

  // A /24 in 10.213.0.0/16 that no other live VirtualHosts holds (flock on a file per subnet, held
  // until teardown) and that no interface here uses already.
  void pick_subnet() {
    std::string addresses = run_ip({"-o", "-4", "addr", "show"}).second;
    for (int step = 0; step < 254; ++step) {
      int x = static_cast<int>((static_cast<unsigned>(pid_) + step) % 254) + 1;
      std::string prefix = "10.213." + std::to_string(x) + ".";
      if (addresses.find(" " + prefix) != std::string::npos) continue;
      std::string lock_path = "/tmp/jflow-virtual-hosts-" + std::to_string(x) + ".lock";
      int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) continue;
      if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        continue;
      }
      lock_fd_ = fd;
      subnet_ = prefix;
      return;
    }
    throw std::runtime_error("virtual hosts: no free subnet in 10.213.0.0/16");
  }

  void add_host() {
    std::size_t i = hosts_++;  // counted first, so teardown deletes a half-made host too
    std::string ns = name(i);
    ip({"netns", "add", ns});
    ip({"link", "add", bridge_port(i), "type", "veth", "peer", "name", host_interface(i), "netns",
        ns});
    ip({"link", "set", bridge_port(i), "master", bridge_});
    ip({"link", "set", bridge_port(i), "up"});
    ip({"-n", ns, "addr", "add", address(i) + "/24", "dev", host_interface(i)});
    ip({"-n", ns, "link", "set", host_interface(i), "up"});
    ip({"-n", ns, "link", "set", "lo", "up"});
  }

  pid_t start_child(std::size_t i, const std::function<int()>& body) {
    int ns_fd = -1;
    if (i != kOrchestrator) {
      std::string ns_path = "/run/netns/" + name(check(i));
      ns_fd = ::open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
      if (ns_fd < 0)
        throw std::runtime_error("virtual hosts: open " + ns_path + ": " + std::strerror(errno));
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
      if (ns_fd >= 0) ::close(ns_fd);
      throw std::runtime_error(std::string("virtual hosts: pipe2: ") + std::strerror(errno));
    }
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
      // Only async-signal-safe calls until exec (or `body`): the parent may run threads.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(126);
      if (ns_fd >= 0 && ::setns(ns_fd, CLONE_NEWNET) != 0) ::_exit(125);
      ::dup2(fds[1], STDOUT_FILENO);
      ::_exit(body());
    }
    int fork_errno = errno;
    if (ns_fd >= 0) ::close(ns_fd);
    ::close(fds[1]);
    if (pid < 0) {
      ::close(fds[0]);
      throw std::runtime_error(std::string("virtual hosts: fork: ") + std::strerror(fork_errno));
    }
    children_[pid] = Child{i, fds[0], {}};
    return pid;
  }

  Child& child_of(pid_t pid) {
    auto it = children_.find(pid);
    if (it == children_.end())
      throw std::invalid_argument("virtual hosts: pid " + std::to_string(pid) + " is not ours");
    return it->second;
  }

  void forget(pid_t pid) {
    auto it = children_.find(pid);
    if (it == children_.end()) return;
    if (it->second.stdout_fd >= 0) ::close(it->second.stdout_fd);
    children_.erase(it);
  }

  void reap_exited() {
    for (auto it = children_.begin(); it != children_.end();) {
      int status = 0;
      pid_t done = ::waitpid(it->first, &status, WNOHANG);
      if (done == it->first || (done < 0 && errno == ECHILD)) {
        if (it->second.stdout_fd >= 0) ::close(it->second.stdout_fd);
        it = children_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void teardown() noexcept {
    try {
      for (auto& [pid, child] : children_) ::kill(pid, SIGKILL);
      for (auto& [pid, child] : children_) {
        int status = 0;
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (child.stdout_fd >= 0) ::close(child.stdout_fd);
      }
      children_.clear();
      for (std::size_t i = 0; i < hosts_; ++i) {
        kill_namespace(name(i));  // deleting the namespace deletes its veth end, and so the pair
        run_ip({"link", "del", bridge_port(i)});
      }
      if (!bridge_.empty()) run_ip({"link", "del", bridge_});
    } catch (...) {
      // Teardown is best effort past this point; a leftover is cleaned by the next run.
    }
    if (lock_fd_ >= 0) ::close(lock_fd_);
    lock_fd_ = -1;
    hosts_ = 0;
    instance_alive() = false;
  }

  pid_t pid_;
  std::size_t hosts_ = 0;
  std::set<std::size_t> readdressed_;  // hosts moved by readdress_host()
  std::string subnet_;                 // "10.213.X."
  std::string bridge_;
  int lock_fd_ = -1;
  std::map<pid_t, Child> children_;
};

}  // namespace jflow::test
