// SpecError: a problem in a flow spec, carrying where it is, so that the CLI can print
// `file:line:col: message`.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jflow {

// A place in a YAML file. Line and column are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string to_string() const;  // "file:line:col", omitting unknown parts
};

// what() is "file:line:col: message"; message() is the text alone.
class SpecError : public std::runtime_error {
 public:
  SpecError(SourceLocation where, const std::string& message);
  const SourceLocation& where() const { return where_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string message_;
};

// The names in `candidates` nearest to `name` by edit distance (typos, swapped letters, case), for
// "did you mean …" hints; empty when none is near enough to be a plausible typo.
std::vector<std::string> close_matches(std::string_view name,
                                       const std::vector<std::string>& candidates);
// " (did you mean 'x'?)" / " (did you mean 'x' or 'y'?)", to append to a message; "" when nothing
// is close.
std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace jflow
