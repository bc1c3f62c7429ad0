#include "jflow/control.hpp"

#include <yaml-cpp/yaml.h>

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
