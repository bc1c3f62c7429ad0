// parse_flow_yaml / load_flow_yaml: a flow file becomes a FlowSpec, or a SpecError that says
// exactly where and what is wrong. The keys each level accepts are listed in one table per level,
// so adding a key (issue 3: needs, parallel, polling, env, with, …) is a row plus a reader.
#include <fstream>
#include <sstream>

#include "spec_support.hpp"

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

namespace {

using spec::Field;
using spec::MapReader;

const std::vector<std::string> kFlowKeys = {"version",         "transport", "host", "timeout_ready",
                                            "request_timeout", "input",     "pods"};
const std::vector<std::string> kPodKeys = {"name", "uses", "runtime", "timeout_ready"};
const std::vector<std::string> kInputKeys = {"lines", "type", "request_size"};
constexpr int kSupportedVersion = 1;

// Reads an enum-valued key: "unknown runtime 'thred' (did you mean 'thread'?)".
template <typename Enum, std::size_t N>
Enum read_choice(const Field& field, const std::string& what, const Enum (&choices)[N],
                 std::string_view (*name_of)(Enum)) {
  const std::string written = field.as_string();
  std::vector<std::string> names;
  for (Enum choice : choices) {
    if (name_of(choice) == written) return choice;
    names.emplace_back(name_of(choice));
  }
  std::string hint = did_you_mean(written, names);
  if (hint.empty()) {
    hint = " (expected ";
    for (std::size_t i = 0; i < names.size(); ++i) {
      hint += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
    }
    hint += ")";
  }
  field.fail("unknown " + what + " '" + written + "'" + hint);
}

Duration read_positive_duration(const Field& field) {
  const Duration value = field.as_duration();
  if (value <= Duration::zero()) field.fail(field.key + " must be greater than 0");
  return value;
}

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
    MapReader keys(root, file_, "flow", kFlowKeys);
    keys.check_keys();
    keys.require("version");
    keys.require("pods");

    FlowSpec spec;
    spec.source = file_;
    const Field version = *keys.get("version");
    spec.version = static_cast<int>(version.as_integer());
    if (spec.version != kSupportedVersion) {
      version.fail("unsupported version " + std::to_string(spec.version) +
                   " (this jflow reads version " + std::to_string(kSupportedVersion) + ")");
    }
    if (auto field = keys.get("transport")) {
      constexpr Transport kTransports[] = {Transport::inproc, Transport::ipc, Transport::tcp};
      spec.transport = read_choice(*field, "transport", kTransports, transport_name);
    }
    if (auto field = keys.get("host")) {
      spec.host = field->as_string();
      if (spec.host.empty()) field->fail("host: expected a host name or address, got ''");
    }
    if (auto field = keys.get("timeout_ready")) spec.timeout_ready = read_positive_duration(*field);
    if (auto field = keys.get("request_timeout")) spec.request_timeout = field->as_duration();
    if (auto field = keys.get("input")) spec.input = input(*field);
    pods(*keys.get("pods"), spec);
    return spec;
  }

 private:
  void pods(const Field& field, FlowSpec& spec) {
    if (!field.value.IsSequence()) {
      field.fail("pods: expected a list of pods, got " + spec::describe(field.value));
    }
    if (field.value.size() == 0) field.fail("pods: a flow needs at least one pod");
    for (const YAML::Node& item : field.value) {
      spec.pods.push_back(pod(item, spec));
    }
  }

  PodSpec pod(const YAML::Node& node, const FlowSpec& flow) {
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
    MapReader keys(node, file_, owner, kPodKeys);
    keys.check_keys();
    keys.require("name");

    PodSpec pod;
    pod.where = spec::location_of(node, file_);
    const Field name = *keys.get("name");
    pod.name = name.as_string();
    if (auto problem = spec::pod_name_problem(pod.name)) name.fail(*problem);
    for (const PodSpec& earlier : flow.pods) {
      if (earlier.name == pod.name) {
        name.fail("duplicate pod name '" + pod.name + "' (first defined at line " +
                  std::to_string(earlier.where.line) + ")");
      }
    }

    if (auto field = keys.get("uses")) {
      if (field->value.IsNull())
        field->fail("uses: expected _pass, _log or a driver list, got nothing");
      pod.uses = field->value.IsScalar() ? field->value.Scalar() : YAML::Dump(field->value);
      pod.drivers = spec::resolve_uses_in(field->value, source_, file_, registry_);
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
    if (auto field = keys.get("runtime")) {
      constexpr Runtime kRuntimes[] = {Runtime::thread, Runtime::process};
      pod.runtime = read_choice(*field, "runtime", kRuntimes, runtime_name);
      // inproc sockets only reach peas of the same process, so every pod must be a thread.
      if (pod.runtime == Runtime::process && flow.transport == Transport::inproc) {
        field->fail(spec::inproc_needs_threads_message());
      }
    }
    pod.timeout_ready = flow.timeout_ready;
    if (auto field = keys.get("timeout_ready")) pod.timeout_ready = read_positive_duration(*field);
    return pod;
  }

  InputSpec input(const Field& field) {
    if (!field.value.IsMap()) {
      field.fail("input: expected a map like {lines: data.txt}, got " +
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
    return input;
  }

  std::string_view source_;
  const std::string& file_;
  const DriverRegistry& registry_;
};

YAML::Node load_one_document(std::string_view text, const std::string& file) {
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
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
