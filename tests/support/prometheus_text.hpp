// Reading Prometheus text back in tests: the value of one sample by its name and exact labels,
// and Prometheus's own checker (`promtool check metrics`, Debian's prometheus package, which
// scripts/setup.sh installs — a missing promtool fails the test rather than skipping it).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>

#include "support/temp_dir.hpp"

namespace jflow::test {

// The value of the sample `name{labels}` (labels written as in the text, in its order), or
// nullopt when no line has exactly that name and those labels.
inline std::optional<double> sample_value(const std::string& text, const std::string& name,
                                          const std::string& labels) {
  const std::string key = name + "{" + labels + "} ";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key, 0) == 0) return std::stod(line.substr(key.size()));
  }
  return std::nullopt;
}

struct PromtoolResult {
  int exit_code = -1;
  std::string output;
};

inline constexpr const char* kPromtool = "/usr/bin/promtool";

// Runs `promtool check metrics` on `text` (its stdin), with its lint rules.
inline PromtoolResult promtool_check(const std::string& text) {
  TempDir dir("promtool");
  const std::filesystem::path file = dir.write("metrics.txt", text);
  const std::string command =
      std::string(kPromtool) + " check metrics < '" + file.string() + "' 2>&1";
  PromtoolResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace jflow::test
