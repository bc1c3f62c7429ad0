// Small text helpers shared by core and cli: trimming whitespace (durations, key files) and
// joining names into one line of a message.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

namespace jflow {

inline std::string_view trim_space(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

// "a, b, c" for join_text({"a", "b", "c"}, ", ").
inline std::string join_text(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (const std::string& part : parts) {
    if (!text.empty()) text += separator;
    text += part;
  }
  return text;
}

}  // namespace jflow
