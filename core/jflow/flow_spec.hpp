// FlowSpec: what a flow is made of, before anything runs. One model with two front ends:
// parse_flow_yaml()/load_flow_yaml() for `flows/*.yml`, and FlowBuilder for C++ code.
// Parsing validates everything it can without starting a pea (keys, types, driver kinds and their
// options, names) and throws SpecError with file:line:col and a "did you mean" hint for near
// misses. The YAML keys are documented in tests/flows/valid/linear.yml until docs/YAML.md exists.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/driver.hpp"
#include "jflow/duration.hpp"
#include "jflow/request.hpp"
#include "jflow/spec_error.hpp"

namespace jflow {

enum class Runtime { thread, process };
enum class Transport { inproc, ipc, tcp };
std::string_view runtime_name(Runtime runtime);
std::string_view transport_name(Transport transport);

// One driver in a chain: its kind ("WaitDriver") and its options as YAML text, so the spec can be
// shipped to a pea process and rebuilt there with the same registry.
struct DriverSpec {
  std::string kind;
  std::string options_yaml = "{}";
  SourceLocation where;
  bool operator==(const DriverSpec& other) const {
    return kind == other.kind && options_yaml == other.options_yaml;
  }
};

// The driver chain per request type. `uses: [...]` fills every data type (index, search, train);
// control requests are answered by the pea itself and skip the chain.
struct DriverChains {
  std::map<RequestType, std::vector<DriverSpec>> by_type;
  bool operator==(const DriverChains&) const = default;
};

struct PodSpec {
  std::string name;
  std::string uses = "_pass";  // as written: a built-in name (_pass, _log) or driver-list YAML
  DriverChains drivers;        // what `uses` resolved to
  Runtime runtime = Runtime::thread;
  Duration timeout_ready = std::chrono::seconds(10);
  SourceLocation where;
  bool operator==(const PodSpec& other) const {
    return name == other.name && drivers == other.drivers && runtime == other.runtime &&
           timeout_ready == other.timeout_ready;
  }
};

// The flow's declared input for `jflow run`: each line of a file becomes one document.
struct InputSpec {
  std::filesystem::path lines;  // resolved relative to the YAML file's folder
  RequestType type = RequestType::index;
  std::size_t request_size = 1;  // documents per request
  bool operator==(const InputSpec&) const = default;
};

struct FlowSpec {
  int version = 1;
  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";  // where tcp peas bind; loopback unless configured
  Duration timeout_ready = std::chrono::seconds(10);  // default for pods that do not set one
  Duration request_timeout = Duration::zero();        // default deadline per request; 0 = none
  std::optional<InputSpec> input;
  std::vector<PodSpec> pods;
  std::string source;  // file the spec came from, for messages
  bool operator==(const FlowSpec& other) const {
    return version == other.version && transport == other.transport && host == other.host &&
           timeout_ready == other.timeout_ready && request_timeout == other.request_timeout &&
           input == other.input && pods == other.pods;
  }
};

// Looks up ${VAR} / ${VAR:-default}; returns nullopt when VAR is unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

// Resolves a pod's `uses` (a built-in name like "_pass", or YAML text of a driver list such as
// "- !WaitDriver {duration: 1s}") into driver chains, validated against `registry`.
DriverChains resolve_uses(const YAML::Node& uses, const std::string& file,
                          const DriverRegistry& registry = builtin_drivers());

FlowSpec parse_flow_yaml(std::string_view text, const std::string& file,
                         const EnvLookup& env = process_environment(),
                         const DriverRegistry& registry = builtin_drivers());
FlowSpec load_flow_yaml(const std::filesystem::path& path,
                        const EnvLookup& env = process_environment(),
                        const DriverRegistry& registry = builtin_drivers());

// Builds a FlowSpec in C++; produces the same spec as the equivalent YAML.
//   auto spec = FlowBuilder().transport(Transport::ipc)
//                   .add("slow", "- !WaitDriver {duration: 1s}")
//                   .add("log", "_log", Runtime::process)
//                   .build();
// `uses` strings are read by the same code as a flow file's `uses`, so add("w", "- !WaitDriver
// {duration: 1s}") gives the same PodSpec as that YAML; ${VAR} is not substituted here. Errors
// inside a `uses` string are located in it: "pod 'w' uses:1:3: unknown driver 'WiatDriver' …".
// Thread-safety: a FlowBuilder is a plain value; use one from one thread at a time.
class FlowBuilder {
 public:
  explicit FlowBuilder(const DriverRegistry& registry = builtin_drivers());
  FlowBuilder& transport(Transport transport);
  FlowBuilder& host(std::string host);
  FlowBuilder& timeout_ready(Duration timeout);  // default for pods, like the YAML's
  FlowBuilder& request_timeout(Duration timeout);
  FlowBuilder& input(InputSpec input);  // `lines` as a path usable from the current folder
  FlowBuilder& add(std::string name, std::string uses = "_pass", Runtime runtime = Runtime::thread);
  FlowBuilder& pod_timeout_ready(Duration timeout);  // for the pod added last
  FlowSpec build() const;  // validates like the YAML parser does; throws SpecError

 private:
  FlowSpec spec_;
  const DriverRegistry* registry_;
  std::vector<std::optional<Duration>> pod_timeouts_;  // unset: the flow's timeout_ready
};

}  // namespace jflow
