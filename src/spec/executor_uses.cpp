// `uses` that names an executor. Next to the driver forms (uses.cpp), a pod may write:
//   uses: VectorIndexer                      an executor kind: default options, default drivers
//   uses: executors/indexer.yml              a file holding the executor's YAML (below),
//                                            relative to the flow file
//   uses: !VectorIndexer {with: {metric: l2}, metas: {workspace: ws}, requests: {search: [...]}}
//   uses: "!VectorIndexer {with: {metric: l2}}"   the same as text
// An executor's YAML (inline or in its file) is a map tagged with its kind and these keys:
//   with:      its options (checked by the executor's factory, unknown keys are errors)
//   metas:     {name, workspace}: name defaults to the pod's, workspace to the flow's
//   requests:  the drivers per request type, in any `uses` driver form; defaults to the
//              executor's own (ExecutorInfo::default_requests)
#include <fstream>
#include <sstream>

#include "jflow/plugin.hpp"
#include "spec/jina_compat.hpp"
#include "spec/spec_support.hpp"
#include "spec/yaml_bounded.hpp"

namespace jflow::spec {
namespace {

const std::vector<std::string> kExecutorKeys = {"with", "metas", "requests"};
const std::vector<std::string> kMetasKeys = {"name", "workspace"};

bool names_yaml_file(const std::string& text) {
  const auto ends_with = [&](std::string_view suffix) {
    return text.size() > suffix.size() &&
           text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return text.find('\n') == std::string::npos && (ends_with(".yml") || ends_with(".yaml"));
}

class ExecutorReader {
 public:
  ExecutorReader(std::string_view source, const std::string& file, const ExecutorDefaults& defaults,
                 const DriverRegistry& drivers)
      : source_(source), file_(file), defaults_(defaults), drivers_(drivers) {}

  std::optional<ExecutorUses> read(const YAML::Node& uses) {
    const ExecutorRegistry& executors = registered_executors();
    if (uses.IsScalar() && !has_local_tag(uses)) {
      const std::string& text = uses.Scalar();
      if (executors.contains(text)) return by_kind(text, YAML::Node(), location_of(uses, file_));
      if (names_yaml_file(text)) return from_file(uses);
      if (!text.empty() && text.front() == '!') return from_text(uses);
      return std::nullopt;
    }
    if (has_local_tag(uses) && executors.contains(uses.Tag().substr(1))) {
      return by_kind(uses.Tag().substr(1), uses, location_of(uses, file_));
    }
    return std::nullopt;
  }

 private:
  // `body` is the tagged node: null, or a map of with/metas/requests.
  ExecutorUses by_kind(const std::string& kind, const YAML::Node& body,
                       const SourceLocation& where) {
    const bool empty =
        !body.IsDefined() || body.IsNull() || (body.IsScalar() && body.Scalar().empty());
    if (!empty && !body.IsMap()) {
      throw SpecError(location_of(body, file_),
                      kind + ": expected a map with with/metas/requests, got " + describe(body));
    }
    ExecutorUses result;
    ExecutorSpec& executor = result.executor;
    executor.kind = kind;
    executor.where = where;
    executor.name = defaults_.name;
    executor.workspace = defaults_.workspace;
    std::optional<Field> requests;
    if (!empty) {
      MapReader keys(body, file_, "executor " + kind, kExecutorKeys);
      keys.check_keys();
      if (auto with = keys.get("with")) {
        if (!with->value.IsNull()) executor.with_yaml = canonical_yaml(with->value);
        registered_executors().validate(kind, with->value, file_);
      } else {
        registered_executors().validate(kind, YAML::Node(YAML::NodeType::Map), file_);
      }
      if (auto metas = keys.get("metas")) read_metas(*metas, executor);
      requests = keys.get("requests");
    } else {
      registered_executors().validate(kind, YAML::Node(YAML::NodeType::Map), file_);
    }
    if (requests) {
      result.drivers = read_uses_key(*requests, source_, drivers_);
    } else {
      const std::string& chains = registered_executors().info(kind)->default_requests;
      try {
        result.drivers = resolve_uses_text(chains, kind + " default requests", drivers_);
      } catch (const SpecError& error) {
        throw SpecError(where, kind + ": its default requests do not resolve: " + error.what());
      }
      for (auto& [type, chain] : result.drivers.by_type) {
        for (DriverSpec& driver : chain) driver.where = where;
      }
    }
    return result;
  }

  void read_metas(const Field& field, ExecutorSpec& executor) {
    if (!field.value.IsMap()) {
      field.fail("metas: expected a map like {name: vec, workspace: ws}, got " +
                 describe(field.value));
    }
    MapReader keys(field.value, file_, "metas", kMetasKeys);
    keys.check_keys();
    if (auto name = keys.get("name")) {
      executor.name = name->as_string();
      if (auto problem = pod_name_problem(executor.name)) name->fail("metas " + *problem);
    }
    if (auto workspace = keys.get("workspace")) {
      const std::string written = workspace->as_string();
      if (written.empty()) workspace->fail("workspace: expected a folder, got ''");
      executor.workspace =
          (std::filesystem::path(file_).parent_path() / written).lexically_normal();
      executor.workspace = std::filesystem::absolute(executor.workspace);
    }
  }

  std::optional<ExecutorUses> from_file(const YAML::Node& scalar) {
    const SourceLocation where = location_of(scalar, file_);
    const std::filesystem::path path =
        (std::filesystem::path(file_).parent_path() / scalar.Scalar()).lexically_normal();
    std::ifstream in(path, std::ios::binary);
    if (!in || std::filesystem::is_directory(path)) {
      throw SpecError(where, "uses: no executor file '" + path.string() + "'");
    }
    std::ostringstream text;
    text << in.rdbuf();
    const std::string contents = text.str();
    const std::string inner_file = path.string();
    YAML::Node root;
    try {
      root = load_bounded(contents);
    } catch (const YAML::ParserException& error) {
      throw SpecError(location_of(mark_in(contents, error.mark), inner_file),
                      "invalid YAML: " + error.msg);
    }
    if (!has_local_tag(root)) {
      throw SpecError(
          location_of(root, inner_file),
          "an executor file starts with its kind, like '!VectorIndexer', got " + describe(root));
    }
    const std::string kind = root.Tag().substr(1);
    if (!registered_executors().contains(kind)) {
      std::string hint = did_you_mean(kind, registered_executors().kinds());
      if (hint.empty()) hint = python_executor_hint(kind);
      throw SpecError(location_of(root, inner_file), "unknown executor '" + kind + "'" + hint);
    }
    ExecutorReader inner(contents, inner_file, defaults_, drivers_);
    return inner.by_kind(kind, root, location_of(root, inner_file));
  }

  std::optional<ExecutorUses> from_text(const YAML::Node& scalar) {
    YAML::Node parsed;
    try {
      parsed = load_bounded(scalar.Scalar());
    } catch (const YAML::ParserException&) {
      return std::nullopt;  // the driver reader reports it with its location mapping
    }
    if (!has_local_tag(parsed) || !registered_executors().contains(parsed.Tag().substr(1))) {
      return std::nullopt;
    }
    // Locations inside the text are only approximate; point at the string itself.
    try {
      ExecutorReader inner(scalar.Scalar(), file_, defaults_, drivers_);
      return inner.by_kind(parsed.Tag().substr(1), parsed, location_of(scalar, file_));
    } catch (const SpecError& error) {
      throw SpecError(location_of(scalar, file_), error.message());
    }
  }

  std::string_view source_;
  const std::string& file_;
  const ExecutorDefaults& defaults_;
  const DriverRegistry& drivers_;
};

}  // namespace

std::optional<ExecutorUses> read_executor_uses(const YAML::Node& uses, std::string_view source,
                                               const std::string& file,
                                               const ExecutorDefaults& defaults,
                                               const DriverRegistry& drivers) {
  return ExecutorReader(source, file, defaults, drivers).read(uses);
}

}  // namespace jflow::spec
