// CapturedLog: for one test, the process's log settings (jflow/log.hpp) set as asked and its lines
// written to a file of their own, read back as lines; both restored when it goes.
#pragma once

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "base/log_output.hpp"
#include "jflow/log.hpp"
#include "support/temp_dir.hpp"

namespace jflow::test {

class CapturedLog {
 public:
  CapturedLog(const std::string& name, LogSettings settings) : dir_(name) {
    path_ = dir_.path() / "log";
    // O_APPEND: each line's write lands whole at the end, whoever writes it.
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    REQUIRE(fd_ >= 0);
    before_ = log_settings();
    set_log_settings(settings);
    previous_fd_ = set_log_output(fd_);
  }
  ~CapturedLog() {
    set_log_output(previous_fd_);
    set_log_settings(before_);
    ::close(fd_);
  }
  CapturedLog(const CapturedLog&) = delete;
  CapturedLog& operator=(const CapturedLog&) = delete;

  std::vector<std::string> lines() const {
    std::ifstream in(path_);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

 private:
  TempDir dir_;
  std::filesystem::path path_;
  int fd_ = -1;
  int previous_fd_ = 2;
  LogSettings before_;
};

}  // namespace jflow::test
