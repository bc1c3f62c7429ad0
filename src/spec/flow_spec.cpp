// parse_flow_yaml / load_flow_yaml: a flow file becomes a FlowSpec, or a SpecError that says
// exactly where and what is wrong. The keys each level accepts are listed in one table per level,
// so adding a key is a row plus a reader (pod_keys.cpp holds the pod keys' readers). The shape of
// the graph is checked last (flow_graph_check.cpp), once every pod and its `needs` are known.
#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "jflow/curve_keys.hpp"
#include "jflow/plugin.hpp"
#include "spec/jina_compat.hpp"
#include "spec/spec_support.hpp"
#include "spec/yaml_bounded.hpp"

namespace jflow {

std::string_view runtime_name(Runtime runtime) {
  switch (runtime) {
    case Runtime::thread:
      return "thread";
    case Runtime::process:
      return "process";
  }
  return "unknown";
}

std::string_view transport_name(Transport transport) {
  switch (transport) {
    case Transport::inproc:
      return "inproc";
    case Transport::ipc:
      return "ipc";
    case Transport::tcp:
      return "tcp";
  }
  return "unknown";
}

std::string_view line_format_name(LineFormat format) {
  switch (format) {
    case LineFormat::text:
      return "text";
    case LineFormat::tsv:
      return "tsv";
  }
  return "unknown";
}

namespace {

using spec::Field;
using spec::MapReader;

const std::vector<std::string> kFlowKeys = {
    "version", "transport", "host",    "timeout_ready", "request_timeout", "max_in_flight", "env",
    "with",    "input",     "plugins", "workspace",     "curve",           "pods"};
const std::vector<std::string> kPodKeys = {
    "name",     "uses",    "uses_before", "uses_after",    "needs",          "runtime",
    "parallel", "polling", "scheduling",  "timeout_ready", "join_timeout",   "partial_results",
    "host",     "method",  "restart",     "max_restarts",  "restart_window", "resources"};
const std::vector<std::string> kCurveKeys = {"key", "hosts"};
const std::vector<std::string> kInputKeys = {"lines",  "type",  "request_size",
                                             "format", "top_k", "show"};
constexpr int kSupportedVersion = 1;

class FlowParser {
 public:
  FlowParser(std::string_view source, const std::string& file, const DriverRegistry& registry)
      : source_(source), file_(file), registry_(registry) {}

  FlowSpec flow(const YAML::Node& root) {
    if (root.IsNull()) {
      throw SpecError({file_, 1, 1}, "empty flow file: expected a map with 'version' and 'pods'");
    }
    if (!root.IsMap()) {
      throw SpecError(
          spec::location_of(root, file_),
          "a flow file must be a map with 'version' and 'pods', got " + spec::describe(root));
    }
    spec::check_flow_tag(root, file_);
    MapReader keys(root, file_, "flow", kFlowKeys);
    keys.check_keys();
    // Jina's legacy form has no version and a map of pods by name.
    const bool legacy_pods = keys.get("pods") && keys.get("pods")->value.IsMap();
    if (!legacy_pods) keys.require("version");
    keys.require("pods");

    FlowSpec spec;
    spec.source = file_;
    spec.version = kSupportedVersion;
    if (auto version = keys.get("version")) spec.version = spec::read_flow_version(*version);
    if (auto field = keys.get("transport")) {
      constexpr Transport kTransports[] = {Transport::inproc, Transport::ipc, Transport::tcp};
      spec.transport = spec::read_choice(*field, "transport", kTransports, transport_name);
    }
    if (auto field = keys.get("host")) {
      spec.host = field->as_string();
      if (spec.host.empty()) field->fail("host: expected a host name or address, got ''");
    }
    if (auto field = keys.get("timeout_ready")) {
      spec.timeout_ready = spec::read_positive_duration(*field);
    }
    if (auto field = keys.get("request_timeout")) spec.request_timeout = field->as_duration();
    if (auto field = keys.get("max_in_flight")) {
      const std::int64_t requests = field->as_integer();
      if (requests < 1 || static_cast<std::uint64_t>(requests) > defaults::kMaxInFlightLimit)
        field->fail(spec::max_in_flight_problem(std::to_string(requests)));
      spec.max_in_flight = static_cast<std::size_t>(requests);
    }
    // `env:` was read by substitute_environment(); its values are only used through ${VAR}.
    PodSpec defaults;
    defaults.timeout_ready = spec.timeout_ready;
    if (auto field = keys.get("with")) {
      with(*field, keys.get("timeout_ready"), spec.transport, defaults);
      spec.timeout_ready = defaults.timeout_ready;
    }
    defaults.key_where.clear();  // inherited values are reported at the pod that inherits them
    if (auto field = keys.get("input")) spec.input = inputs(*field);
    if (auto field = keys.get("plugins")) spec.plugins = plugins(*field);
    if (auto field = keys.get("workspace")) spec.workspace = relative_folder(*field);
    if (auto field = keys.get("curve")) spec.curve = curve(*field);
    pods(*keys.get("pods"), defaults, spec);
    spec::fill_default_needs(spec);
    spec::check_topology(spec);
    spec::check_hosts(spec);
    return spec;
  }

 private:
  // `with:` gives every pod a default for the pod keys it holds; a pod's own key wins.
  void with(const Field& field, const std::optional<Field>& flow_timeout, Transport transport,
            PodSpec& defaults) {
    if (!field.value.IsMap()) {
      field.fail("with: expected a map of pod defaults like {parallel: 2}, got " +
                 spec::describe(field.value));
    }
    for (const auto& entry : field.value) {
      if (entry.first.IsScalar() &&
          std::find(kPodKeys.begin(), kPodKeys.end(), entry.first.Scalar()) != kPodKeys.end() &&
          std::find(spec::pod_default_keys().begin(), spec::pod_default_keys().end(),
                    entry.first.Scalar()) == spec::pod_default_keys().end()) {
        throw SpecError(spec::location_of(entry.first, file_),
                        "with: '" + entry.first.Scalar() +
                            "' is set per pod, not for all pods (with: can set " +
                            join_names(spec::pod_default_keys()) + ")");
      }
    }
    MapReader keys(field.value, file_, "with", spec::pod_default_keys());
    keys.check_keys();
    for (const std::string& key : spec::pod_default_keys()) {
      if (auto value = keys.get(key)) spec::read_pod_default(*value, defaults, transport);
    }
    if (flow_timeout && keys.get("timeout_ready")) {
      keys.get("timeout_ready")
          ->fail("timeout_ready is given twice: at the flow's top level (line " +
                 std::to_string(flow_timeout->where().line) + ") and in with: (keep one)");
    }
  }

  // Resolved against the flow file's folder, so a flow runs the same from any working directory.
  std::filesystem::path relative_folder(const Field& field) const {
    const std::string written = field.as_string();
    if (written.empty()) field.fail(field.key + ": expected a path, got ''");
    return std::filesystem::absolute(
        (std::filesystem::path(file_).parent_path() / written).lexically_normal());
  }

  // Loaded now, so that `uses` below can name the plugins' executors and drivers.
  std::vector<std::filesystem::path> plugins(const Field& field) const {
    if (!field.value.IsSequence()) {
      field.fail("plugins: expected a list of shared libraries like [build/libmine.so], got " +
                 spec::describe(field.value));
    }
    std::vector<std::filesystem::path> paths;
    for (const YAML::Node& item : field.value) {
      Field entry{"plugins", item, item, &file_};
      const std::filesystem::path path = relative_folder(entry);
      try {
        load_plugin(path);
      } catch (const PluginError& error) {
        entry.fail(error.what());
      }
      paths.push_back(path);
    }
    return paths;
  }

  // `curve: {key: FILE.secret, hosts: {ADDR:PORT: FILE.pub}}`; each file is read now, so a
  // missing or malformed key is reported here, at its entry, rather than when the flow starts.
  CurveSpec curve(const Field& field) const {
    if (!field.value.IsMap()) {
      field.fail(
          "curve: expected a map like {key: keys/me.secret, hosts: {ADDR:PORT: "
          "keys/host.pub}}, got " +
          spec::describe(field.value));
    }
    MapReader keys(field.value, file_, "curve", kCurveKeys);
    keys.check_keys();
    keys.require("key");
    CurveSpec curve;
    const Field key = *keys.get("key");
    curve.key = relative_folder(key);
    try {
      read_curve_secret(curve.key);
    } catch (const std::exception& error) {
      key.fail(std::string("key: ") + error.what());
    }
    if (auto hosts = keys.get("hosts")) {
      if (!hosts->value.IsMap()) {
        hosts->fail("hosts: expected a map of ADDR:PORT to a .pub file, got " +
                    spec::describe(hosts->value));
      }
      for (const auto& entry : hosts->value) {
        Field host{"hosts", entry.first, entry.second, &file_};
        std::string address;
        try {
          address = spec::daemon_address(entry.first.Scalar());
        } catch (const std::invalid_argument& error) {
          throw SpecError(spec::location_of(entry.first, file_),
                          std::string("hosts: ") + error.what());
        }
        const std::filesystem::path path = relative_folder(host);
        try {
          read_curve_public(path);
        } catch (const std::exception& error) {
          host.fail(std::string("hosts: ") + error.what());
        }
        curve.hosts[address] = path;
      }
    }
    return curve;
  }

  static std::string join_names(const std::vector<std::string>& names) {
    std::string text;
    for (std::size_t i = 0; i < names.size(); ++i) {
      text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + names[i];
    }
    return text;
  }

  void pods(const Field& field, const PodSpec& defaults, FlowSpec& spec) {
    if (field.value.IsMap()) return legacy_pods(field, defaults, spec);
    if (!field.value.IsSequence()) {
      field.fail("pods: expected a list of pods, got " + spec::describe(field.value));
    }
    if (field.value.size() == 0) field.fail("pods: a flow needs at least one pod");
    for (const YAML::Node& item : field.value) {
      spec.pods.push_back(pod(item, defaults, spec, std::nullopt));
    }
  }

  // Jina's legacy form: `pods: {NAME: {keys}, ...}`, in order; a `gateway` entry is the Flow
  // itself, as Jina reads it.
  void legacy_pods(const Field& field, const PodSpec& defaults, FlowSpec& spec) {
    for (const auto& entry : field.value) {
      Field name{"name", entry.first, entry.first, &file_};
      if (!entry.first.IsScalar())
        name.fail("pods: expected a pod name, got " + spec::describe(entry.first));
      if (entry.first.Scalar() == kGateway) continue;
      if (!entry.second.IsMap()) {
        throw SpecError(
            spec::location_of(entry.second.IsNull() ? entry.first : entry.second, file_),
            "pods: in Jina's map form each entry is NAME: {keys}, but '" + entry.first.Scalar() +
                "' maps to " + spec::describe(entry.second) +
                " (or write a list: pods: [{name: a, uses: _pass}])");
      }
      spec.pods.push_back(pod(entry.second, defaults, spec, name));
    }
    if (spec.pods.empty()) field.fail("pods: a flow needs at least one pod");
  }

  PodSpec pod(const YAML::Node& node, const PodSpec& defaults, const FlowSpec& flow,
              const std::optional<Field>& legacy_name) {
    if (!node.IsMap()) {
      throw SpecError(
          spec::location_of(node, file_),
          "a pod must be a map like {name: a, uses: _pass}, got " + spec::describe(node));
    }
    // The pod's name makes later messages easier to place, when it is usable.
    std::string owner = "pod";
    for (const auto& entry : node) {
      if (entry.first.IsScalar() && entry.first.Scalar() == "name" && entry.second.IsScalar() &&
          !spec::pod_name_problem(entry.second.Scalar())) {
        owner += " '" + entry.second.Scalar() + "'";
      }
    }
    if (legacy_name) owner = "pod '" + legacy_name->value.Scalar() + "'";
    MapReader keys(node, file_, owner, kPodKeys);
    keys.check_keys();
    // Jina v1's `method:` — needs (a join, named joiner unless named) or inspect (in line after
    // the pod it inspects: jflow has no hanging pods) — or add, the default.
    const std::optional<Field> method_field = keys.get("method");
    const spec::PodMethod method =
        method_field ? spec::read_pod_method(*method_field) : spec::PodMethod::add;
    if (legacy_name && keys.get("name")) {
      keys.get("name")->fail("name: in Jina's map form of pods the key is the name; drop name:");
    }
    if (!legacy_name && method == spec::PodMethod::add) keys.require("name");

    PodSpec pod = defaults;
    pod.where = spec::location_of(node, file_);
    const std::optional<Field> given_name = legacy_name ? legacy_name : keys.get("name");
    const Field name = given_name ? *given_name : *method_field;
    pod.name = given_name                         ? name.as_string()
               : method == spec::PodMethod::needs ? "joiner"
                                                  : "inspect";
    if (auto problem = spec::pod_name_problem(pod.name)) name.fail(*problem);
    for (const PodSpec& earlier : flow.pods) {
      if (earlier.name == pod.name) {
        name.fail("duplicate pod name '" + pod.name + "' (first defined at line " +
                  std::to_string(earlier.where.line) + ")");
      }
    }
    pod.key_where["name"] = name.where();

    if (method == spec::PodMethod::needs && !keys.get("uses")) pod.uses = "_merge";
    if (auto field = keys.get("uses")) {
      pod.uses = field->value.IsScalar() ? field->value.Scalar() : YAML::Dump(field->value);
      const spec::ExecutorDefaults executor_defaults{pod.name, flow.workspace};
      if (auto executor = spec::read_executor_uses(field->value, source_, file_, executor_defaults,
                                                   registry_)) {
        pod.executor = std::move(executor->executor);
        pod.drivers = std::move(executor->drivers);
      } else {
        pod.drivers = spec::read_uses_key(*field, source_, registry_);
      }
    } else {
      // The default `uses` is not in the file; its chain and any error belong to the pod.
      try {
        pod.drivers = spec::resolve_uses_text(pod.uses, file_, registry_);
      } catch (const SpecError& error) {
        throw SpecError(pod.where, error.message());
      }
      for (auto& [type, chain] : pod.drivers.by_type) {
        for (DriverSpec& driver : chain) driver.where = pod.where;
      }
    }
    if (auto field = keys.get("uses_before")) {
      pod.uses_before = spec::read_uses_key(*field, source_, registry_);
      pod.key_where["uses_before"] = field->where();
    }
    if (auto field = keys.get("uses_after")) {
      pod.uses_after = spec::read_uses_key(*field, source_, registry_);
      pod.key_where["uses_after"] = field->where();
    }
    if (auto field = keys.get("partial_results")) {
      constexpr PartialResults kModes[] = {PartialResults::error, PartialResults::flag};
      pod.partial_results =
          spec::read_choice(*field, "partial_results", kModes, partial_results_name);
      pod.key_where["partial_results"] = field->where();
    }
    if (auto field = keys.get("needs")) spec::read_needs(*field, pod);
    if (method == spec::PodMethod::needs && pod.needs.size() < 2) {
      const Field& at = keys.get("needs") ? *keys.get("needs") : *method_field;
      at.fail("method: needs joins two or more pods; list them in needs: [a, b]");
    }
    // A pod that needs an inspected pod takes the inspect pod's output (Jina's auxiliary pod).
    for (std::string& need : pod.needs) {
      if (auto inspect = inspected_.find(need); inspect != inspected_.end()) need = inspect->second;
    }
    if (method == spec::PodMethod::inspect) {
      if (pod.needs.size() > 1) keys.get("needs")->fail("method: inspect inspects one pod");
      if (flow.pods.empty() && pod.needs.empty()) {
        method_field->fail("method: inspect needs a pod before it to inspect");
      }
      const std::string inspected = pod.needs.empty() ? flow.pods.back().name : pod.needs.front();
      inspected_[inspected] = pod.name;
    }
    if (auto field = keys.get("host")) {
      try {
        pod.host = spec::daemon_address(field->as_string());
      } catch (const std::invalid_argument& error) {
        field->fail(std::string("host: ") + error.what());
      }
      pod.runtime = Runtime::process;
      pod.key_where["host"] = field->where();
    }
    if (auto field = keys.get("resources")) spec::read_pod_resources(*field, pod);
    for (const std::string& key : spec::pod_default_keys()) {
      if (auto field = keys.get(key)) spec::read_pod_default(*field, pod, flow.transport);
    }
    return pod;
  }

  // `input:` is one phase (a map) or a list of phases that run in order.
  std::vector<InputSpec> inputs(const Field& field) {
    if (!field.value.IsSequence()) return {input(field)};
    if (field.value.size() == 0) field.fail("input: expected at least one phase, got []");
    std::vector<InputSpec> phases;
    for (const YAML::Node& item : field.value) {
      phases.push_back(input(Field{"input", item, item, &file_}));
    }
    return phases;
  }

  InputSpec input(const Field& field) {
    if (!field.value.IsMap()) {
      field.fail("input: expected a map like {lines: data.txt} or a list of them, got " +
                 spec::describe(field.value));
    }
    MapReader keys(field.value, file_, "input", kInputKeys);
    keys.check_keys();
    keys.require("lines");

    InputSpec input;
    const Field lines = *keys.get("lines");
    const std::string written = lines.as_string();
    if (written.empty()) lines.fail("lines: expected a file name, got ''");
    input.lines = (std::filesystem::path(file_).parent_path() / written).lexically_normal();
    if (auto problem = spec::input_lines_problem(input.lines, written)) lines.fail(*problem);

    if (auto type = keys.get("type")) {
      const std::string name = type->as_string();
      const std::optional<RequestType> parsed = parse_request_type(name);
      if (parsed == RequestType::control) {
        type->fail("input type 'control' is not a data request (use index, search or train)");
      }
      if (!parsed) {
        std::string hint = did_you_mean(name, {"index", "search", "train"});
        if (hint.empty()) hint = " (expected index, search or train)";
        type->fail("unknown input type '" + name + "'" + hint);
      }
      input.type = *parsed;
    }
    if (auto size = keys.get("request_size")) {
      const std::int64_t value = size->as_integer();
      if (value < 1) size->fail("request_size must be at least 1, got " + std::to_string(value));
      input.request_size = static_cast<std::size_t>(value);
    }
    if (auto format = keys.get("format")) {
      constexpr LineFormat kFormats[] = {LineFormat::text, LineFormat::tsv};
      input.format = spec::read_choice(*format, "format", kFormats, line_format_name);
    }
    if (auto top_k = keys.get("top_k")) {
      input.top_k = top_k->as_integer();
      if (input.top_k < 1) top_k->fail("top_k must be at least 1, got " + top_k->as_string());
    }
    if (auto show = keys.get("show")) {
      const std::string value = show->as_string();
      if (value != "each" && value != "progress") {
        std::string hint = did_you_mean(value, {"each", "progress"});
        show->fail("unknown show '" + value + "'" +
                   (hint.empty() ? " (expected each or progress)" : hint));
      }
      input.progress = value == "progress";
    }
    return input;
  }

  std::string_view source_;
  const std::string& file_;
  const DriverRegistry& registry_;
  std::map<std::string, std::string> inspected_;  // inspected pod -> its `method: inspect` pod
};

YAML::Node load_one_document(std::string_view text, const std::string& file) {
  std::vector<YAML::Node> documents;
  try {
    documents = spec::load_all_bounded(std::string(text));
  } catch (const YAML::ParserException& error) {
    throw SpecError(spec::location_of(spec::mark_in(text, error.mark), file),
                    "invalid YAML: " + error.msg);
  }
  if (documents.size() > 1) {
    throw SpecError(
        spec::location_of(documents[1], file),
        "a flow file holds one YAML document, found " + std::to_string(documents.size()));
  }
  return documents.empty() ? YAML::Node() : documents.front();
}

}  // namespace

FlowSpec parse_flow_yaml(std::string_view text, const std::string& file, const EnvLookup& env,
                         const DriverRegistry& registry) {
  YAML::Node root = load_one_document(text, file);
  spec::substitute_environment(root, text, file, env);
  return FlowParser(text, file, registry).flow(root);
}

FlowSpec load_flow_yaml(const std::filesystem::path& path, const EnvLookup& env,
                        const DriverRegistry& registry) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    throw SpecError({path.string(), 0, 0}, "no such flow file '" + path.string() + "'");
  }
  std::ifstream in(path, std::ios::binary);
  if (std::filesystem::is_directory(status) || !in) {
    throw SpecError({path.string(), 0, 0}, "cannot read flow file '" + path.string() + "'");
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_flow_yaml(text.str(), path.string(), env, registry);
}

}  // namespace jflow
