// Trimming of whitespace around a piece of text, for the small line-based parsers in core
// (durations, key files).
#pragma once

#include <cctype>
#include <string_view>

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

}  // namespace jflow
