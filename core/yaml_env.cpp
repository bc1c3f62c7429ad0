// ${VAR} and ${VAR:-default} in flow files: substituted in scalar values after parsing, so that a
// missing variable is reported at the exact place it is used rather than somewhere in re-parsed
// text.
#include <algorithm>
#include <cstdlib>

#include "spec_support.hpp"

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

  void walk(YAML::Node node) {
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
      result += *value;
      i = close + 1;
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
};

}  // namespace

void substitute_environment(YAML::Node& root, std::string_view source, const std::string& file,
                            const EnvLookup& env) {
  Substituter(source, file, env).walk(root);
}

}  // namespace spec
}  // namespace jflow
