// Internal to the flow-spec parser (flow_spec.cpp, pod_keys.cpp, uses.cpp, yaml_env.cpp,
// flow_builder.cpp, flow_graph_check.cpp and driver_registry.cpp): turning yaml-cpp nodes into
// located values and located errors, so every message the parser gives names the file, line and
// column it is about.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "jflow/duration.hpp"
#include "jflow/flow_spec.hpp"
#include "jflow/spec_error.hpp"

namespace jflow::spec {

// yaml-cpp marks are 0-based and -1 when unknown; SourceLocation is 1-based with 0 as unknown.
SourceLocation location_of(const YAML::Mark& mark, const std::string& file);
SourceLocation location_of(const YAML::Node& node, const std::string& file);

// A parser error's mark with line and column recounted from its position in `text`: yaml-cpp
// reports 0:0 for errors at the end of the input, while the position is right.
YAML::Mark mark_in(std::string_view text, const YAML::Mark& mark);

// How a value reads in a message: "a map", "a sequence", "nothing", or the scalar in quotes.
std::string describe(const YAML::Node& node);

// True when the node carries an application tag such as `!WaitDriver` (not `!`, `?` or `!!str`).
bool has_local_tag(const YAML::Node& node);

// Where the character at (line, column), 0-based inside a scalar's value, sits in `source`: exact
// when the value appears verbatim there (a plain or quoted scalar on one line, or a `|` block);
// otherwise the scalar's own location, which is still the right line to look at.
SourceLocation locate_in_scalar(const YAML::Node& scalar, std::string_view source,
                                const std::string& file, int line, int column);

// The options map as canonical one-line YAML ("{duration: 1s}"): no tags, flow style, so the same
// options written in block or flow style compare equal and travel to a pea as a short string.
std::string canonical_yaml(const YAML::Node& node);

// One `key: value` entry of a map, with typed readers that throw located SpecErrors whose message
// starts with the key ("timeout_ready: expected a duration like 5s or 200ms, got 'fast'").
struct Field {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
  const std::string* file = nullptr;

  // The value's location; for an empty value, the key's (yaml-cpp marks those on the next token).
  SourceLocation where() const;
  [[noreturn]] void fail(const std::string& message) const;
  std::string as_string() const;
  std::int64_t as_integer() const;
  double as_number() const;
  bool as_bool() const;
  Duration as_duration() const;
};

// A YAML map read against the keys it may hold. check_keys() rejects unknown keys (with a "did you
// mean" hint) and repeated keys, which yaml-cpp would otherwise accept silently.
class MapReader {
 public:
  // `owner` names the map in messages: "flow", "pod 'slow'", "input".
  MapReader(YAML::Node map, const std::string& file, std::string owner,
            std::vector<std::string> known_keys);
  void check_keys() const;
  // Throws "missing required key 'name' in pod", located at the map.
  void require(const std::string& key) const;
  std::optional<Field> get(const std::string& key) const;

 private:
  YAML::Node map_;
  const std::string& file_;
  std::string owner_;
  std::vector<std::string> known_keys_;
};

// Rejects keys of `map` that are not in `known` and keys given twice. `noun` is "key" or "option";
// `owner` ends the message: "unknown key 'x' in pod", "unknown option 'x' for WaitDriver".
void check_map_keys(const YAML::Node& map, const std::string& file, const std::string& noun,
                    const std::string& owner, const std::vector<std::string>& known);

// Replaces ${VAR} and ${VAR:-default} in every scalar value (not in keys) of the document, in
// place. An unset VAR without a default throws, located at the `${` in the source.
void substitute_environment(YAML::Node& root, std::string_view source, const std::string& file,
                            const EnvLookup& env);

// `uses` of a flow file whose text is `source` (so that errors inside a `uses` string can point
// into the string); without the source they point at the string.
DriverChains resolve_uses_in(const YAML::Node& uses, std::string_view source,
                             const std::string& file, const DriverRegistry& registry);
// `uses` given as text, as FlowBuilder::add takes it; locations are inside the text, in `label`.
DriverChains resolve_uses_text(const std::string& text, const std::string& label,
                               const DriverRegistry& registry);

// What an executor named in `uses` inherits from its pod and flow.
struct ExecutorDefaults {
  std::string name;                 // the pod's name
  std::filesystem::path workspace;  // the flow's workspace (may be empty)
};
struct ExecutorUses {
  ExecutorSpec executor;
  DriverChains drivers;
};
// `uses` naming an executor (a kind, an executor YAML file, or a tagged executor map; see
// executor_uses.cpp); nullopt when `uses` is one of the driver forms.
std::optional<ExecutorUses> read_executor_uses(const YAML::Node& uses, std::string_view source,
                                               const std::string& file,
                                               const ExecutorDefaults& defaults,
                                               const DriverRegistry& drivers);

// For the driver and executor registries: "unknown driver 'WiatDriver' (did you mean …?)", or the
// list of known kinds when nothing is close. `noun` is "driver" or "executor".
[[noreturn]] void throw_unknown_kind(const SourceLocation& where, const std::string& noun,
                                     std::string_view kind, const std::vector<std::string>& known);

// Runs a registry factory on `reader`: a factory that rejects its options with a plain exception
// still gets a located message, unknown options are rejected even if it forgot finish(), and a
// factory that made nothing is an error.
template <typename Made, typename Factory>
Made make_located(const SourceLocation& where, std::string_view kind, DriverOptions& reader,
                  Factory&& factory) {
  Made made;
  try {
    made = factory(reader);
  } catch (const SpecError&) {
    throw;
  } catch (const std::exception& error) {
    throw SpecError(where, std::string(kind) + ": " + error.what());
  }
  reader.finish();
  if (!made) throw SpecError(where, std::string(kind) + ": its factory made nothing");
  return made;
}

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

Duration read_positive_duration(const Field& field);

// The message for a max_in_flight outside 1 … defaults::kMaxInFlightLimit; `given` as written.
std::string max_in_flight_problem(const std::string& given);

// The pod keys a flow's `with:` may set for every pod (runtime, timeout_ready, parallel, polling,
// scheduling, join_timeout), and their reader, shared by `with:` and the pods themselves.
const std::vector<std::string>& pod_default_keys();
void read_pod_default(const Field& field, PodSpec& pod, Transport transport);
// `needs: a` or `needs: [a, b]`, with the location of each entry.
void read_needs(const Field& field, PodSpec& pod);
// `resources: {requests: {cpu: 500m, memory: 256Mi}, limits: {...}}` (pod_resources.cpp).
void read_pod_resources(const Field& field, PodSpec& pod);
// `uses`, `uses_before` or `uses_after`: the same forms, the same errors.
DriverChains read_uses_key(const Field& field, std::string_view source,
                           const DriverRegistry& registry);

// Gives pods without `needs` their implicit ones: the pod before, or kGateway for the first.
void fill_default_needs(FlowSpec& spec);
// The checks of the flow's shape (flow_graph_check.cpp): unknown needs, a pod needing itself,
// gateway mixed with pods, cycles, dangling or unreachable pods, parallel < 1, polling: all without
// a reducer. Throws SpecError located at the offending key or `needs` entry when it was written.
void check_topology(const FlowSpec& spec);

// `host: ADDR[:PORT]` as "ADDR:PORT" (the port defaulting to defaults::kDaemonPort); throws
// std::invalid_argument saying what is wrong with it.
std::string daemon_address(const std::string& written);
bool is_loopback_host(const std::string& host);  // 127.x.y.z, localhost, ::1

// Pods on other hosts: the flow must use tcp, its own `host:` must be reachable from them, and
// with `curve:` every such host needs a key. Throws SpecError located at the pod's `host:`.
void check_hosts(const FlowSpec& spec);

// Checks shared by the YAML parser and FlowBuilder; each returns the problem, or nullopt.
std::optional<std::string> pod_name_problem(const std::string& name);
std::optional<std::string> input_lines_problem(const std::filesystem::path& resolved,
                                               const std::string& as_written);
std::string inproc_needs_threads_message();

}  // namespace jflow::spec
