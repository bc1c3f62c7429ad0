// Small text helpers shared by core and cli: trimming whitespace (durations, key files), joining
// names into one line of a message, and reading a whole text as an integer.
#pragma once

#include <cctype>
#include <charconv>
#include <optional>
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

// The whole of `text` as a decimal integer of type T, or nullopt: empty text, a sign T cannot
// hold, anything before or after the digits (no whitespace either), a value out of T's range.
// Unlike atoi/strtol, garbage is never read as 0; the caller says what was wrong and where.
template <typename T>
std::optional<T> parse_integer(std::string_view text) {
  T value{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

}  // namespace jflow
