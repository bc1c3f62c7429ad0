// Times and rates with three significant digits (summary_text.hpp).
#include "summary_text.hpp"

#include <cstdio>

namespace jflow::cli {

std::string format_ms(double milliseconds) {
  char text[64];
  const char* pattern = milliseconds < 1     ? "%.3f ms"
                        : milliseconds < 10  ? "%.2f ms"
                        : milliseconds < 100 ? "%.1f ms"
                                             : "%.0f ms";
  std::snprintf(text, sizeof text, pattern, milliseconds);
  return text;
}

std::string format_rate(double per_second) {
  char text[64];
  const char* suffix = "";
  double value = per_second;
  if (per_second >= 999.5e3) {
    value = per_second / 1e6;
    suffix = "M";
  } else if (per_second >= 999.5) {
    value = per_second / 1e3;
    suffix = "k";
  }
  // Three significant digits: 1.81, 18.1, 181.
  const char* pattern = value < 9.995 ? "%.2f%s" : value < 99.95 ? "%.1f%s" : "%.0f%s";
  std::snprintf(text, sizeof text, pattern, value, suffix);
  return text;
}

std::string format_summary(const std::string& what, std::size_t requests, std::size_t docs,
                           std::size_t ok, std::size_t failed, double seconds) {
  char text[256];
  std::snprintf(text, sizeof text, "%s: %zu requests (%zu documents): %zu ok, %zu failed in %.3f s",
                what.c_str(), requests, docs, ok, failed, seconds);
  std::string summary = text;
  if (seconds > 0) summary += " (" + format_rate(docs / seconds) + " docs/s)";
  return summary;
}

}  // namespace jflow::cli
