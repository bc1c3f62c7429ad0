// ${VAR} and ${VAR:-default} in flow files: substituted in scalar values after parsing, so that a
// missing variable is reported at the exact place it is used rather than somewhere in re-parsed
// text. A flow-level `env:` map adds variables for the rest of the file; the process environment
// wins over it, so that `env:` holds the file's defaults and whoever starts the flow can override
// any of them without editing the file (the order docker compose uses for its .env file).
#include <algorithm>
#include <cstdlib>
#include <map>
#include <memory>

#include "spec/spec_support.hpp"

namespace jflow {

EnvLookup process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

namespace spec {
namespace {

// The longest value ${VAR} substitution may produce (1 MiB).
constexpr std::size_t kMaxSubstitutedBytes = 1024 * 1024;
// And the most one walk over a file may produce in all (16 MiB).
constexpr std::size_t kMaxSubstitutedTotal = 16 * 1024 * 1024;

bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool is_name_char(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9');
}

class Substituter {
 public:
  Substituter(std::string_view source, const std::string& file, const EnvLookup& env)
      : source_(source), file_(file), env_(env) {}

  void walk(YAML::Node node) const {
    if (node.IsMap()) {
      for (auto entry : node) walk(entry.second);
    } else if (node.IsSequence()) {
      for (auto item : node) walk(item);
    } else if (node.IsScalar() && node.Scalar().find("${") != std::string::npos) {
      // Assigning a string keeps the node's mark and tag, so later errors still locate it.
      node = substitute(node);
    }
  }

 private:
  std::string substitute(const YAML::Node& scalar) const {
    const std::string& text = scalar.Scalar();
    std::string result;
    std::size_t i = 0;
    while (i < text.size()) {
      const std::size_t open = text.find("${", i);
      if (open == std::string::npos) {
        result.append(text, i, std::string::npos);
        break;
      }
      result.append(text, i, open - i);
      const std::size_t close = text.find('}', open);
      if (close == std::string::npos) {
        fail_at(scalar, open, "'${' without a closing '}'");
      }
      const std::string_view inside = std::string_view(text).substr(open + 2, close - open - 2);
      const std::size_t default_mark = inside.find(":-");
      const std::string name(inside.substr(0, default_mark));
      if (name.empty() || !is_name_start(name.front()) ||
          !std::all_of(name.begin(), name.end(), is_name_char)) {
        fail_at(scalar, open,
                "bad variable name '" + name + "' in '${" + std::string(inside) +
                    "}': use letters, digits and '_'");
      }
      std::optional<std::string> value = env_(name);
      // Like the shell's ${VAR:-default}: the default also replaces an empty value.
      if (default_mark != std::string_view::npos && (!value || value->empty())) {
        value = std::string(inside.substr(default_mark + 2));
      }
      if (!value) {
        fail_at(scalar, open,
                "environment variable '" + name + "' is not set (write ${" + name +
                    ":-default} to give a default)");
      }
      // Bounded: `env:` entries may use the ones above them, so ten entries that each repeat the
      // previous one ten times would otherwise make a 10 GB value from a few hundred bytes.
      if (result.size() + value->size() > kMaxSubstitutedBytes) {
        fail_at(scalar, open,
                "substituting '${" + std::string(inside) + "}' makes this value longer than " +
                    std::to_string(kMaxSubstitutedBytes) + " bytes");
      }
      result += *value;
      i = close + 1;
    }
    produced_ += result.size();
    if (produced_ > kMaxSubstitutedTotal) {
      fail_at(scalar, 0,
              "substituting variables makes the file's values longer than " +
                  std::to_string(kMaxSubstitutedTotal) + " bytes in all");
    }
    return result;
  }

  [[noreturn]] void fail_at(const YAML::Node& scalar, std::size_t offset,
                            const std::string& message) const {
    const std::string& text = scalar.Scalar();
    const std::size_t line_start = text.rfind('\n', offset);
    const int line = static_cast<int>(std::count(text.begin(), text.begin() + offset, '\n'));
    const int column =
        static_cast<int>(line_start == std::string::npos ? offset : offset - line_start - 1);
    throw SpecError(locate_in_scalar(scalar, source_, file_, line, column), message);
  }

  std::string_view source_;
  const std::string& file_;
  const EnvLookup& env_;
  mutable std::size_t produced_ = 0;  // bytes substituted so far in this walk
};

}  // namespace

namespace {

// Reads `env:` (its own values may use the process environment and the entries above them) and
// returns the lookup for the rest of the file.
EnvLookup with_flow_env(const YAML::Node& map, std::string_view source, const std::string& file,
                        const EnvLookup& env) {
  if (!map.IsMap()) {
    throw SpecError(
        location_of(map, file),
        "env: expected a map of variables like {WORKSPACE: /tmp/ws}, got " + describe(map));
  }
  auto values = std::make_shared<std::map<std::string, std::string>>();
  EnvLookup lookup = [values, env](const std::string& name) -> std::optional<std::string> {
    if (auto value = env(name)) return value;
    const auto found = values->find(name);
    if (found == values->end()) return std::nullopt;
    return found->second;
  };
  std::map<std::string, int> lines;  // name -> line it was first given at
  for (auto entry : map) {
    const YAML::Node& key = entry.first;
    const SourceLocation where = location_of(key, file);
    const std::string name = key.IsScalar() ? key.Scalar() : "";
    if (name.empty() || !is_name_start(name.front()) ||
        !std::all_of(name.begin(), name.end(), is_name_char)) {
      throw SpecError(where, "env: bad variable name " + describe(key) +
                                 ": use letters, digits and '_', not starting with a digit");
    }
    if (auto first = lines.find(name); first != lines.end()) {
      throw SpecError(where, "env: duplicate variable '" + name + "' (first given at line " +
                                 std::to_string(first->second) + ")");
    }
    lines[name] = where.line;
    YAML::Node value = entry.second;
    if (!value.IsScalar()) {
      const SourceLocation at = value.IsNull() ? where : location_of(value, file);
      throw SpecError(at, "env: " + name + ": expected a string or number, got " + describe(value));
    }
    Substituter(source, file, lookup).walk(value);
    values->emplace(name, value.Scalar());
  }
  return lookup;
}

}  // namespace

void substitute_environment(YAML::Node& root, std::string_view source, const std::string& file,
                            const EnvLookup& env) {
  if (!root.IsMap()) {
    Substituter(source, file, env).walk(root);
    return;
  }
  EnvLookup lookup = env;
  for (auto entry : root) {
    if (entry.first.IsScalar() && entry.first.Scalar() == "env") {
      lookup = with_flow_env(entry.second, source, file, env);
    }
  }
  const Substituter substituter(source, file, lookup);
  for (auto entry : root) {
    if (!(entry.first.IsScalar() && entry.first.Scalar() == "env")) substituter.walk(entry.second);
  }
}

}  // namespace spec
}  // namespace jflow
