#include "control/control.hpp"

#include <yaml-cpp/yaml.h>

#include "base/text.hpp"

namespace jflow {
namespace {

const std::string& string_field(const ControlMessage& message, const char* key) {
  auto it = message.fields.find(key);
  if (it == message.fields.end() || !std::holds_alternative<std::string>(it->second)) {
    throw DecodeError(std::string("control '") + message.command + "': missing string field '" +
                      key + "'");
  }
  return std::get<std::string>(it->second);
}

std::int64_t integer_field(const ControlMessage& message, const char* key) {
  auto it = message.fields.find(key);
  if (it == message.fields.end() || !std::holds_alternative<std::int64_t>(it->second)) {
    throw DecodeError(std::string("control '") + message.command + "': missing integer field '" +
                      key + "'");
  }
  return std::get<std::int64_t>(it->second);
}

// Pea names never contain ',' (names are [A-Za-z0-9_-], plus '/' for head/replica/tail).
std::vector<std::string> split_names(const std::string& joined) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (start < joined.size()) {
    std::size_t comma = joined.find(',', start);
    if (comma == std::string::npos) comma = joined.size();
    names.push_back(joined.substr(start, comma - start));
    start = comma + 1;
  }
  return names;
}

template <typename T>
T parse_or_throw(std::optional<T> value, const std::string& what, const std::string& text) {
  if (!value) throw DecodeError("control 'configure': unknown " + what + " '" + text + "'");
  return *value;
}

Transport parse_transport(const std::string& name) {
  if (name == "inproc") return Transport::inproc;
  if (name == "ipc") return Transport::ipc;
  if (name == "tcp") return Transport::tcp;
  throw DecodeError("control 'configure': unknown transport '" + name + "'");
}

}  // namespace

ControlMessage make_configure(const PeaConfig& config) {
  ControlMessage message;
  message.command = control::kConfigure;
  message.pea = config.pea;
  message.fields["pod"] = config.pod;
  message.fields["flow_id"] = config.flow_id;
  message.fields["transport"] = std::string(transport_name(config.transport));
  message.fields["host"] = config.host;
  message.fields["drivers"] = chains_to_yaml(config.drivers);
  message.fields["heartbeat_ns"] = static_cast<std::int64_t>(config.heartbeat_interval.count());
  message.fields["role"] = std::string(pea_role_name(config.role));
  message.fields["join_from"] = join_text(config.join_from, ",");
  message.fields["join_timeout_ns"] = static_cast<std::int64_t>(config.join_timeout.count());
  message.fields["polling"] = std::string(polling_name(config.polling));
  message.fields["scheduling"] = std::string(scheduling_name(config.scheduling));
  message.fields["replicas"] = join_text(config.replicas, ",");
  message.fields["window"] = config.window;
  message.fields["replica"] = static_cast<std::int64_t>(config.replica);
  message.fields["parallel"] = static_cast<std::int64_t>(config.parallel);
  message.fields["shards"] = static_cast<std::int64_t>(config.shards);
  std::string plugins;
  for (const auto& path : config.plugins) plugins += path.string() + "\n";
  message.fields["plugins"] = plugins;
  if (config.curve) {
    message.fields["curve_public"] = config.curve->public_key;
    message.fields["curve_secret"] = config.curve->secret_key;
  }
  if (config.executor) {
    message.fields["executor_kind"] = config.executor->kind;
    message.fields["executor_with"] = config.executor->with_yaml;
    message.fields["executor_name"] = config.executor->name;
    message.fields["executor_workspace"] = config.executor->workspace.string();
  }
  return message;
}

PeaConfig read_configure(const ControlMessage& message) {
  PeaConfig config;
  config.pea = message.pea;
  config.pod = string_field(message, "pod");
  config.flow_id = string_field(message, "flow_id");
  config.transport = parse_transport(string_field(message, "transport"));
  config.host = string_field(message, "host");
  config.heartbeat_interval = Duration(integer_field(message, "heartbeat_ns"));
  const std::string& role = string_field(message, "role");
  config.role = parse_or_throw(parse_pea_role(role), "role", role);
  config.join_from = split_names(string_field(message, "join_from"));
  config.join_timeout = Duration(integer_field(message, "join_timeout_ns"));
  const std::string& polling = string_field(message, "polling");
  config.polling = parse_or_throw(parse_polling(polling), "polling", polling);
  const std::string& scheduling = string_field(message, "scheduling");
  config.scheduling = parse_or_throw(parse_scheduling(scheduling), "scheduling", scheduling);
  config.replicas = split_names(string_field(message, "replicas"));
  config.window = integer_field(message, "window");
  const auto count = [&](const char* key) {
    const std::int64_t value = integer_field(message, key);
    if (value < 0) throw DecodeError(std::string("control 'configure': negative ") + key);
    return static_cast<std::size_t>(value);
  };
  config.replica = count("replica");
  config.parallel = count("parallel");
  config.shards = count("shards");
  const std::string& plugins = string_field(message, "plugins");
  for (std::size_t start = 0; start < plugins.size();) {
    const std::size_t end = plugins.find('\n', start);
    if (end == std::string::npos) break;
    config.plugins.emplace_back(plugins.substr(start, end - start));
    start = end + 1;
  }
  if (message.fields.count("curve_public") != 0) {
    config.curve =
        CurveKeyPair{string_field(message, "curve_public"), string_field(message, "curve_secret")};
  }
  if (message.fields.count("executor_kind") != 0) {
    ExecutorSpec executor;
    executor.kind = string_field(message, "executor_kind");
    executor.with_yaml = string_field(message, "executor_with");
    executor.name = string_field(message, "executor_name");
    executor.workspace = string_field(message, "executor_workspace");
    config.executor = std::move(executor);
  }
  try {
    config.drivers = chains_from_yaml(string_field(message, "drivers"));
  } catch (const YAML::Exception& e) {
    throw DecodeError("control 'configure': bad driver list: " + std::string(e.what()));
  }
  return config;
}

// The chains as YAML: {index: [{kind: WaitDriver, options: "{duration: 1s}"}], …}.
std::string chains_to_yaml(const DriverChains& chains) {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& [type, specs] : chains.by_type) {
    YAML::Node list(YAML::NodeType::Sequence);
    for (const DriverSpec& spec : specs) {
      YAML::Node item;
      item["kind"] = spec.kind;
      item["options"] = spec.options_yaml;
      list.push_back(item);
    }
    root[std::string(request_type_name(type))] = list;
  }
  YAML::Emitter out;
  out << YAML::Flow << root;
  return out.c_str();
}

DriverChains chains_from_yaml(const std::string& text) {
  DriverChains chains;
  YAML::Node root = YAML::Load(text);
  for (const auto& entry : root) {
    auto type = parse_request_type(entry.first.as<std::string>());
    if (!type) throw DecodeError("control 'configure': unknown request type in driver list");
    auto& specs = chains.by_type[*type];
    for (const auto& item : entry.second) {
      specs.push_back({item["kind"].as<std::string>(), item["options"].as<std::string>(), {}});
    }
  }
  return chains;
}

}  // namespace jflow
