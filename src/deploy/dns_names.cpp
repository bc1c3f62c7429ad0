#include "deploy/dns_names.hpp"

#include <algorithm>

namespace jflow::deploy {
namespace {

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string trim_dashes(std::string label) {
  while (!label.empty() && label.back() == '-') label.pop_back();
  return label;
}

}  // namespace

std::string dns_label(std::string_view text, std::size_t max) {
  std::string label;
  for (char c : text) {
    const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if (is_label_char(lower)) {
      label += lower;
    } else if (!label.empty() && label.back() != '-') {
      label += '-';
    }
  }
  label = trim_dashes(label);
  if (!label.empty() && !(label.front() >= 'a' && label.front() <= 'z')) label = "p" + label;
  if (label.empty()) label = "flow";
  if (label.size() > max) label = trim_dashes(label.substr(0, max));
  return label;
}

std::vector<std::string> unique_labels(const std::string& prefix,
                                       const std::vector<std::string>& names,
                                       std::vector<std::string> taken) {
  std::vector<std::string> labels;
  for (const std::string& name : names) {
    const std::string base = dns_label(prefix + "-" + name);
    std::string label = base;
    for (int n = 2; std::find(taken.begin(), taken.end(), label) != taken.end(); ++n) {
      const std::string suffix = "-" + std::to_string(n);
      label = trim_dashes(base.substr(0, kMaxWorkloadName - suffix.size())) + suffix;
    }
    taken.push_back(label);
    labels.push_back(label);
  }
  return labels;
}

}  // namespace jflow::deploy
