// Jina 0.x flow YAML: what jflow reads, and how it refuses the rest (see jina_compat.hpp).
#include "spec/jina_compat.hpp"

#include <algorithm>
#include <cctype>

namespace jflow::spec {
namespace {

struct JinaBuiltin {
  const char* name;
  const char* jflow;    // the jflow alias with the same effect, or nullptr
  const char* problem;  // why not, when there is none
};
constexpr JinaBuiltin kJinaBuiltins[] = {
    {"_forward", "_pass", nullptr},
    {"_route", "_pass", nullptr},  // jflow's heads route by themselves (polling, scheduling)
    {"_logforward", "_log", nullptr},
    {"_merge_chunks", "_merge", nullptr},  // MergeDriver appends the parts' chunks per document
    {"_clear", nullptr, "clears documents with Jina's query language, which jflow does not have"},
    {"_concat", nullptr, "concatenates embeddings, which no jflow driver does"},
    {"_unique", nullptr, "caches document ids in a Python executor"},
    {"_merge_eval", nullptr, "collects Jina evaluations, which jflow does not have"},
};

bool looks_like_docker_image(std::string_view uses) {
  if (uses.starts_with("docker://")) return true;
  if (uses.starts_with("jinahub/") || uses.starts_with("jinaai/")) return true;
  // name[/name…]:tag — an image reference; file paths (.yml) and YAML text (spaces, '{', '!')
  // never look like that.
  const auto colon = uses.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == uses.size()) return false;
  const auto allowed = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-' ||
           c == '/';
  };
  if (!std::all_of(uses.begin(), uses.end(), [&](char c) { return allowed(c) || c == ':'; }))
    return false;
  if (std::count(uses.begin(), uses.end(), ':') != 1) return false;
  return uses.substr(0, colon).find('/') != std::string_view::npos;
}

bool looks_like_python_class(std::string_view name) {
  if (name.empty() || !std::isupper(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.';
  });
}

}  // namespace

int read_flow_version(const Field& field) {
  if (field.value.IsScalar()) {
    const std::string& text = field.value.Scalar();
    if (text == "1.0") return 1;  // Jina v1 files write '1.0' (and '1', which reads as 1 below)
    // Jina's versions are decimal strings; one jflow does not know is refused as a version, not
    // as a malformed number.
    double number = 0;
    if (text.find('.') != std::string::npos && YAML::convert<double>::decode(field.value, number)) {
      field.fail("unsupported version '" + text +
                 "' (this jflow reads version 1, which Jina writes '1' or '1.0')");
    }
  }
  const std::int64_t version = field.as_integer();
  if (version != 1) {
    field.fail("unsupported version " + std::to_string(version) + " (this jflow reads version 1)");
  }
  return 1;
}

void check_flow_tag(const YAML::Node& root, const std::string& file) {
  const std::string& tag = root.Tag();
  if (tag.empty() || tag == "?" || tag == "!" || tag == "!Flow") return;
  throw SpecError(location_of(root, file),
                  "a flow file may be tagged !Flow (Jina's), not '" + tag + "'");
}

std::optional<std::string_view> jina_builtin_alias(std::string_view name) {
  for (const JinaBuiltin& builtin : kJinaBuiltins) {
    if (name == builtin.name && builtin.jflow != nullptr) return builtin.jflow;
  }
  return std::nullopt;
}

std::optional<std::string> jina_uses_problem(std::string_view uses) {
  for (const JinaBuiltin& builtin : kJinaBuiltins) {
    if (uses == builtin.name && builtin.problem != nullptr) {
      return "uses '" + std::string(uses) + "' is a Jina built-in that " + builtin.problem +
             "; jflow's built-ins are _pass, _log, _merge and _merge_matches (write your own "
             "driver or executor as a plugin: docs/EXECUTORS.md)";
    }
  }
  if (looks_like_docker_image(uses)) {
    return "uses '" + std::string(uses) +
           "' is a docker image: jflow runs no containers (write the executor in C++ as a plugin "
           "listed under plugins:, docs/EXECUTORS.md, or run it on another host with jflow "
           "daemon, docs/HOSTS.md)";
  }
  return std::nullopt;
}

std::string python_executor_hint(std::string_view name) {
  if (!looks_like_python_class(name)) return "";
  return " ('" + std::string(name) +
         "' looks like a Jina Python executor: jflow runs no Python executors; use a built-in "
         "such as FeatureHashEncoder or VectorIndexer, or write it in C++ as a plugin, "
         "docs/EXECUTORS.md)";
}

PodMethod read_pod_method(const Field& field) {
  const std::string method = field.as_string();
  if (method == "add") return PodMethod::add;
  if (method == "needs") return PodMethod::needs;
  if (method == "inspect") return PodMethod::inspect;
  std::string hint = did_you_mean(method, {"add", "needs", "inspect"});
  field.fail("unknown method '" + method + "'" +
             (hint.empty() ? " (expected add, needs or inspect)" : hint));
}

}  // namespace jflow::spec
