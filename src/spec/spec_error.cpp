// SpecError and the "did you mean" hints that make spec errors easy to fix.
#include "jflow/spec_error.hpp"

#include <algorithm>
#include <cctype>

namespace jflow {
namespace {

std::string lowercase(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return result;
}

// Optimal string alignment distance: Levenshtein plus swapping two neighbours as one edit, because
// the typos people make in keys ("nmae", "tpc") are mostly swaps.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t rows = a.size() + 1;
  const std::size_t cols = b.size() + 1;
  std::vector<std::size_t> d(rows * cols);
  auto at = [&](std::size_t i, std::size_t j) -> std::size_t& { return d[i * cols + j]; };
  for (std::size_t i = 0; i < rows; ++i) at(i, 0) = i;
  for (std::size_t j = 0; j < cols; ++j) at(0, j) = j;
  for (std::size_t i = 1; i < rows; ++i) {
    for (std::size_t j = 1; j < cols; ++j) {
      const std::size_t substitution = a[i - 1] == b[j - 1] ? 0 : 1;
      at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + substitution});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
      }
    }
  }
  return at(rows - 1, cols - 1);
}

std::string in_quotes(std::string_view name) {
  return "'" + std::string(name) + "'";
}

}  // namespace

std::string SourceLocation::to_string() const {
  std::string result = file;
  if (line > 0) {
    result += (result.empty() ? "" : ":") + std::to_string(line);
    if (column > 0) result += ":" + std::to_string(column);
  }
  return result;
}

namespace {

std::string located_message(const SourceLocation& where, const std::string& message) {
  const std::string prefix = where.to_string();
  return prefix.empty() ? message : prefix + ": " + message;
}

}  // namespace

SpecError::SpecError(SourceLocation where, const std::string& message)
    : std::runtime_error(located_message(where, message)),
      where_(std::move(where)),
      message_(message) {}

std::vector<std::string> close_matches(std::string_view name,
                                       const std::vector<std::string>& candidates) {
  // Case is compared loosely ("waitdriver" should find "WaitDriver"), and the allowed distance
  // grows with the length so that short names do not match everything.
  const std::string lowered = lowercase(name);
  const std::size_t allowed = std::max<std::size_t>(1, name.size() / 3);
  struct Scored {
    std::size_t distance;
    std::size_t exact_distance;
    std::size_t order;
    const std::string* candidate;
  };
  std::vector<Scored> scored;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string& candidate = candidates[i];
    if (candidate == name) continue;
    const std::size_t distance = edit_distance(lowered, lowercase(candidate));
    if (distance <= allowed) {
      scored.push_back({distance, edit_distance(name, candidate), i, &candidate});
    }
  }
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.exact_distance != b.exact_distance) return a.exact_distance < b.exact_distance;
    return a.order < b.order;
  });
  // Only the nearest names are worth a hint: "WiatDriver" should suggest WaitDriver, not also
  // FailDriver. Among equally near ones, those with the same first letter win ("tpc" -> "tcp",
  // not "ipc"), since first letters are rarely mistyped.
  if (!scored.empty()) {
    const std::size_t best = scored.front().distance;
    std::erase_if(scored, [&](const Scored& s) { return s.distance != best; });
    const auto same_start = [&](const Scored& s) {
      return !lowered.empty() && !s.candidate->empty() &&
             std::tolower(static_cast<unsigned char>(s.candidate->front())) == lowered.front();
    };
    if (std::any_of(scored.begin(), scored.end(), same_start)) {
      std::erase_if(scored, [&](const Scored& s) { return !same_start(s); });
    }
  }
  std::vector<std::string> result;
  for (const Scored& s : scored) {
    if (std::find(result.begin(), result.end(), *s.candidate) == result.end()) {
      result.push_back(*s.candidate);
    }
  }
  return result;
}

std::string did_you_mean(std::string_view name, const std::vector<std::string>& candidates) {
  // More than three suggestions stop being a hint and become noise.
  constexpr std::size_t kMaxSuggestions = 3;
  std::vector<std::string> matches = close_matches(name, candidates);
  if (matches.empty()) return "";
  if (matches.size() > kMaxSuggestions) matches.resize(kMaxSuggestions);
  std::string list = in_quotes(matches.front());
  for (std::size_t i = 1; i < matches.size(); ++i) {
    list += (i + 1 == matches.size() ? " or " : ", ") + in_quotes(matches[i]);
  }
  return " (did you mean " + list + "?)";
}

}  // namespace jflow
