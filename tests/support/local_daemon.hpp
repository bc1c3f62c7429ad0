// Helpers for daemon tests on this machine: a `jflow daemon` running on a thread of the test
// process (its peas are real `jflow pea` processes), and key pairs written to a temporary folder.
#pragma once

#include <sys/eventfd.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hosts/daemon.hpp"
#include "jflow/curve_keys.hpp"
#include "support/temp_dir.hpp"

namespace jflow::test {

class LocalDaemon {
 public:
  explicit LocalDaemon(DaemonOptions options) {
    if (options.listen == DaemonOptions().listen) options.listen = "tcp://127.0.0.1:0";
    options.executable = JFLOW_BINARY;
    options.log = [this](LogLevel level, const std::string& line) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        logs_.push_back(std::string(log_level_name(level)) + ": " + line);
      }
      logged_.notify_all();
    };
    daemon_ = std::make_unique<Daemon>(std::move(options));
    stop_ = ::eventfd(0, EFD_CLOEXEC);
    thread_ = std::thread([this] { daemon_->run(stop_); });
  }
  ~LocalDaemon() { stop(); }

  // "127.0.0.1:PORT", as a pod's host: names it.
  std::string address() const { return daemon_->endpoint().substr(std::string("tcp://").size()); }

  // Each line the daemon logged, after its level: "warn: refused a connection …".
  std::vector<std::string> logs() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return logs_;
  }
  bool logged(const std::string& part) const {
    for (const std::string& line : logs()) {
      if (line.find(part) != std::string::npos) return true;
    }
    return false;
  }

  // Waits until a line containing `part` is logged; false when `limit` passes first.
  bool wait_for_log(const std::string& part, std::chrono::milliseconds limit) {
    std::unique_lock<std::mutex> lock(mutex_);
    return logged_.wait_for(lock, limit, [&] {
      for (const std::string& line : logs_) {
        if (line.find(part) != std::string::npos) return true;
      }
      return false;
    });
  }

  // Stops serving and kills the daemon's peas, as when its host goes away.
  void stop() {
    if (!thread_.joinable()) return;
    std::uint64_t one = 1;
    (void)::write(stop_, &one, sizeof one);
    thread_.join();
    daemon_.reset();
    ::close(stop_);
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable logged_;
  std::vector<std::string> logs_;
  std::unique_ptr<Daemon> daemon_;
  int stop_ = -1;
  std::thread thread_;
};

// A folder of key pairs made with jflow's own key files, removed at the end of the test.
class KeyFolder {
 public:
  // Writes NAME.pub and NAME.secret; returns the pair.
  CurveKeyPair make(const std::string& name) {
    CurveKeyPair keys = generate_curve_keys();
    write_curve_keys(dir_.path(), name, keys);
    return keys;
  }
  std::filesystem::path pub(const std::string& name) const { return dir_.path() / (name + ".pub"); }
  std::filesystem::path secret(const std::string& name) const {
    return dir_.path() / (name + ".secret");
  }

 private:
  TempDir dir_{"keys"};
};

}  // namespace jflow::test
