// Resolving a pod's `uses` into driver chains. The forms, all validated against a DriverRegistry:
//   uses: _pass                                   a built-in name (_pass, _log, _merge,
//                                                 _merge_matches; Jina's _forward, _route,
//                                                 _logforward, _merge_chunks: jina_compat.hpp)
//   uses: [!WaitDriver {duration: 1s}, !LogDriver] a driver list, for index, search and train
//   uses: "- !WaitDriver {duration: 1s}"          the same list as YAML text (Jina's form)
//   uses: {index: [...], search: _log}            a chain per request type; the others pass
// Text is parsed with the same code as the file, and errors inside it are mapped back to where
// the text sits in the file, so that they point at the typo rather than at the `uses` key.
#include <algorithm>

#include "jflow/executor.hpp"
#include "jflow/request.hpp"
#include "spec/jina_compat.hpp"
#include "spec/spec_support.hpp"
#include "spec/yaml_bounded.hpp"

namespace jflow::spec {
namespace {

struct Alias {
  const char* name;
  const char* kind;
};
// Each alias is one driver with its default options; uses_aliases() publishes this table.
constexpr Alias kAliases[] = {{"_pass", "ForwardDriver"},
                              {"_log", "LogDriver"},
                              {"_merge", "MergeDriver"},
                              {"_merge_matches", "MergeMatchesDriver"}};
constexpr RequestType kDataTypes[] = {RequestType::index, RequestType::search, RequestType::train};

std::vector<std::string> alias_names() {
  std::vector<std::string> names;
  for (const Alias& alias : kAliases) names.emplace_back(alias.name);
  return names;
}

bool is_untagged_scalar(const YAML::Node& node) {
  return node.IsScalar() && !has_local_tag(node);
}

// Reads one YAML document's `uses` value. Locations are in that document's own coordinates; when
// the document is the text of a `uses` string, the reader that parsed it maps them outwards.
class UsesReader {
 public:
  UsesReader(const DriverRegistry& registry, const std::string& file, std::string_view source,
             bool may_parse_text)
      : registry_(registry), file_(file), source_(source), may_parse_text_(may_parse_text) {}

  DriverChains resolve(const YAML::Node& uses) {
    if (is_untagged_scalar(uses)) {
      if (auto chain = alias(uses)) return same_for_all_types(*chain);
      return from_text(
          uses, [](UsesReader& inner, const YAML::Node& parsed) { return inner.resolve(parsed); });
    }
    if (uses.IsMap() && !has_local_tag(uses)) return per_type(uses);
    return same_for_all_types(chain(uses));
  }

 private:
  static DriverChains same_for_all_types(const std::vector<DriverSpec>& chain) {
    DriverChains chains;
    for (RequestType type : kDataTypes) chains.by_type[type] = chain;
    return chains;
  }

  DriverChains per_type(const YAML::Node& map) {
    std::vector<std::string> type_names;
    for (RequestType type : kDataTypes) type_names.emplace_back(request_type_name(type));
    for (const auto& entry : map) {
      if (entry.first.IsScalar() && entry.first.Scalar() == "control") {
        throw SpecError(location_of(entry.first, file_),
                        "control requests are answered by the pea itself; uses can set index, "
                        "search and train");
      }
    }
    check_map_keys(map, file_, "key", "in uses", type_names);
    if (map.size() == 0) {
      throw SpecError(location_of(map, file_),
                      "uses: a map of chains needs at least one of "
                      "index, search or train");
    }
    // Types the map leaves out forward their requests unchanged, as `_pass` would.
    DriverChains chains = same_for_all_types(alias_chain("_pass", location_of(map, file_)));
    for (const auto& entry : map) {
      const RequestType type = *parse_request_type(entry.first.Scalar());
      if (entry.second.IsNull()) {
        throw SpecError(location_of(entry.first, file_),
                        entry.first.Scalar() + ": expected a driver list, got nothing");
      }
      chains.by_type[type] = chain(entry.second);
    }
    return chains;
  }

  std::vector<DriverSpec> chain(const YAML::Node& node) {
    if (is_untagged_scalar(node)) {
      if (auto chain = alias(node)) return *chain;
      return from_text(
          node, [](UsesReader& inner, const YAML::Node& parsed) { return inner.chain(parsed); });
    }
    if (has_local_tag(node)) return {driver(node)};
    if (!node.IsSequence()) {
      throw SpecError(
          location_of(node, file_),
          "expected a driver list like '- !WaitDriver {duration: 1s}', got " + describe(node));
    }
    if (node.size() == 0) {
      throw SpecError(location_of(node, file_),
                      "the driver list is empty (use _pass to forward requests unchanged)");
    }
    std::vector<DriverSpec> drivers;
    for (const YAML::Node& item : node) drivers.push_back(driver(item));
    return drivers;
  }

  DriverSpec driver(const YAML::Node& item) {
    const SourceLocation where = location_of(item, file_);
    if (!has_local_tag(item)) {
      if (item.IsScalar() && registry_.contains(item.Scalar())) {
        throw SpecError(
            where, "driver '" + item.Scalar() + "' needs a tag: write '!" + item.Scalar() + "'");
      }
      throw SpecError(where,
                      "expected a driver like '!WaitDriver {duration: 1s}', got " + describe(item));
    }
    const std::string kind = item.Tag().substr(1);
    // A tagged map with an executor's keys that is neither driver nor executor: most likely a
    // Jina executor class (`!MyEncoder {with: {...}}`).
    if (!registry_.contains(kind) && item.IsMap() &&
        (item["with"] || item["metas"] || item["requests"])) {
      std::string hint = did_you_mean(kind, registered_executors().kinds());
      if (hint.empty()) hint = python_executor_hint(kind);
      throw SpecError(where, "unknown executor '" + kind + "'" + hint);
    }
    registry_.create(kind, item, file_);
    const bool no_options = item.IsNull() || (item.IsScalar() && item.Scalar().empty());
    return DriverSpec{kind, no_options ? "{}" : canonical_yaml(item), where};
  }

  std::optional<std::vector<DriverSpec>> alias(const YAML::Node& scalar) {
    const std::string& name = scalar.Scalar();
    for (const Alias& alias : kAliases) {
      if (name == alias.name) return alias_chain(name, location_of(scalar, file_));
    }
    // Jina's names for the same things, and Jina's that cannot run here (jina_compat.hpp).
    if (auto jflow_name = jina_builtin_alias(name)) {
      return alias_chain(std::string(*jflow_name), location_of(scalar, file_));
    }
    if (auto problem = jina_uses_problem(name))
      throw SpecError(location_of(scalar, file_), *problem);
    if (may_parse_text_) return std::nullopt;  // not a name: the caller reads it as YAML text
    std::vector<std::string> candidates = alias_names();
    for (const std::string& kind : registered_executors().kinds()) candidates.push_back(kind);
    std::string hint = did_you_mean(name, candidates);
    if (hint.empty() && registry_.contains(name)) {
      hint = " (to use the driver, write '- !" + name + " {}')";
    }
    if (hint.empty()) hint = python_executor_hint(name);
    if (hint.empty()) {
      hint =
          " (expected _pass, _log, an executor such as VectorIndexer, a file.yml, or a driver "
          "list like '- !WaitDriver {}')";
    }
    throw SpecError(location_of(scalar, file_), "unknown uses '" + name + "'" + hint);
  }

  std::vector<DriverSpec> alias_chain(const std::string& name, const SourceLocation& where) {
    const auto alias = std::find_if(std::begin(kAliases), std::end(kAliases),
                                    [&](const Alias& a) { return name == a.name; });
    try {
      registry_.create(alias->kind, YAML::Node(YAML::NodeType::Map), file_);
    } catch (const SpecError& error) {
      throw SpecError(where, name + ": " + error.message());
    }
    return {DriverSpec{alias->kind, "{}", where}};
  }

  // Parses the scalar's text as YAML and reads it with `read`; errors and driver locations found
  // inside the text are mapped to where the text sits in this document.
  template <typename Read>
  auto from_text(const YAML::Node& scalar, Read read) -> decltype(read(*this, scalar)) {
    const auto outwards = [&](const SourceLocation& inside) {
      if (inside.line <= 0) return location_of(scalar, file_);
      return locate_in_scalar(scalar, source_, file_, inside.line - 1,
                              std::max(inside.column - 1, 0));
    };
    const std::string& text = scalar.Scalar();
    YAML::Node parsed;
    try {
      parsed = load_bounded(text);
    } catch (const YAML::ParserException& error) {
      throw SpecError(outwards(location_of(mark_in(text, error.mark), file_)),
                      "invalid YAML in uses: " + error.msg);
    }
    UsesReader inner(registry_, file_, text, /*may_parse_text=*/false);
    try {
      auto result = read(inner, parsed);
      relocate(result, outwards);
      return result;
    } catch (const SpecError& error) {
      throw SpecError(outwards(error.where()), error.message());
    }
  }

  template <typename Outwards>
  static void relocate(std::vector<DriverSpec>& chain, const Outwards& outwards) {
    for (DriverSpec& spec : chain) spec.where = outwards(spec.where);
  }
  template <typename Outwards>
  static void relocate(DriverChains& chains, const Outwards& outwards) {
    for (auto& [type, chain] : chains.by_type) relocate(chain, outwards);
  }

  const DriverRegistry& registry_;
  const std::string& file_;
  std::string_view source_;
  bool may_parse_text_;
};

}  // namespace

DriverChains resolve_uses_in(const YAML::Node& uses, std::string_view source,
                             const std::string& file, const DriverRegistry& registry) {
  if (!uses.IsDefined() || uses.IsNull()) {
    throw SpecError(location_of(uses, file),
                    "uses: expected _pass, _log or a driver list, got nothing");
  }
  return UsesReader(registry, file, source, /*may_parse_text=*/true).resolve(uses);
}

DriverChains resolve_uses_text(const std::string& text, const std::string& label,
                               const DriverRegistry& registry) {
  YAML::Node parsed;
  try {
    parsed = load_bounded(text);
  } catch (const YAML::ParserException& error) {
    throw SpecError(location_of(mark_in(text, error.mark), label),
                    "invalid YAML in uses: " + error.msg);
  }
  if (parsed.IsNull()) {
    throw SpecError({label, 1, 1}, "uses: expected _pass, _log or a driver list, got nothing");
  }
  return UsesReader(registry, label, text, /*may_parse_text=*/false).resolve(parsed);
}

}  // namespace jflow::spec

namespace jflow {

DriverChains resolve_uses(const YAML::Node& uses, const std::string& file,
                          const DriverRegistry& registry) {
  return spec::resolve_uses_in(uses, {}, file, registry);
}

const std::vector<UsesAlias>& uses_aliases() {
  static const std::vector<UsesAlias> aliases = [] {
    std::vector<UsesAlias> result;
    for (const spec::Alias& alias : spec::kAliases) result.push_back({alias.name, alias.kind});
    return result;
  }();
  return aliases;
}

}  // namespace jflow
