// The private ipc folder of a process, and the sweep of those left by killed processes.
#include "net/ipc_folder.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <system_error>

namespace jflow {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kPrefix = "jflow-ipc-";

fs::path temp_root() {
  // The variables libzmq reads for its own ipc wildcard, in its order.
  for (const char* name : {"TMPDIR", "TEMPDIR", "TMP"}) {
    if (const char* value = std::getenv(name); value && *value) return value;
  }
  return "/tmp";
}

// The PID in a folder name "jflow-ipc-PID-XXXXXX", or 0 when the name is not one of ours.
pid_t pid_in(const std::string& name) {
  if (name.rfind(kPrefix, 0) != 0) return 0;
  const std::size_t dash = name.find('-', kPrefix.size());
  if (dash == std::string::npos || dash == kPrefix.size()) return 0;
  pid_t pid = 0;
  for (std::size_t i = kPrefix.size(); i < dash; ++i) {
    if (name[i] < '0' || name[i] > '9' || pid > 100'000'000) return 0;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

bool is_zombie(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t end = text.rfind(')');  // the state follows the command name in parentheses
  return end != std::string::npos && end + 2 < text.size() && text[end + 2] == 'Z';
}

std::string g_folder;    // set once, under g_once
pid_t g_folder_pid = 0;  // the process that made it (a forked child must not remove it)
std::atomic<unsigned long> g_next{0};
std::once_flag g_once;

void remove_own_folder() {
  if (::getpid() != g_folder_pid) return;
  std::error_code ignored;
  fs::remove_all(g_folder, ignored);
}

void make_folder() {
  remove_stale_ipc_folders();
  std::string pattern =
      (temp_root() / (std::string(kPrefix) + std::to_string(::getpid()) + "-XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) {
    throw std::system_error(errno, std::generic_category(),
                            "cannot make the ipc folder '" + pattern + "'");
  }
  g_folder = pattern;
  g_folder_pid = ::getpid();
  std::atexit(remove_own_folder);
}

}  // namespace

int remove_stale_ipc_folders() {
  int removed = 0;
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(temp_root(), error)) {
    const pid_t pid = pid_in(entry.path().filename().string());
    if (pid <= 0 || pid == ::getpid()) continue;
    struct stat info {};
    if (::lstat(entry.path().c_str(), &info) != 0 || !S_ISDIR(info.st_mode) ||
        info.st_uid != ::geteuid())
      continue;
    // Alive (or not ours to ask about): leave it. Only a PID that no longer exists, or a zombie
    // nobody has reaped yet, is stale.
    if ((::kill(pid, 0) == 0 || errno != ESRCH) && !is_zombie(pid)) continue;
    std::error_code ignored;
    if (fs::remove_all(entry.path(), ignored) > 0) ++removed;
  }
  return removed;
}

std::string next_ipc_endpoint() {
  std::call_once(g_once, make_folder);
  return "ipc://" + g_folder + "/" + std::to_string(g_next.fetch_add(1));
}

}  // namespace jflow
