// FlowSpec: what a flow is made of, before anything runs. One model with two front ends:
// parse_flow_yaml()/load_flow_yaml() for `flows/*.yml`, and FlowBuilder for C++ code.
// Parsing validates everything it can without starting a pea (keys, types, driver kinds and their
// options, names, and the shape of the graph: unknown `needs`, cycles, dangling pods, a missing
// reducer) and throws SpecError with file:line:col and a "did you mean" hint for near misses.
// Every key is documented in docs/YAML.md. build_flow_graph() (flow_graph.hpp) turns a spec into
// the peas that run.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/defaults.hpp"
#include "jflow/driver.hpp"
#include "jflow/duration.hpp"
#include "jflow/request.hpp"
#include "jflow/spec_error.hpp"
#include "jflow/topology.hpp"

namespace jflow {

enum class Runtime { thread, process };
enum class Transport { inproc, ipc, tcp };
std::string_view runtime_name(Runtime runtime);
std::string_view transport_name(Transport transport);

// What the tail of a polling-all pod returns when a shard was lost: an error naming the lost
// shard (error), or the reduced answers of the shards that answered, flagged as partial (flag).
enum class PartialResults { error, flag };
inline std::string_view partial_results_name(PartialResults mode) {
  return mode == PartialResults::error ? "error" : "flag";
}

// What the orchestrator does when one of a pod's peas dies while the flow runs: start it again
// (on-failure, at most max_restarts times per restart_window, after a back-off), or leave it dead
// (never: a dead replica leaves its pod smaller; a dead head, tail or lone pea breaks the flow).
enum class RestartPolicy { never, on_failure };
inline std::string_view restart_policy_name(RestartPolicy policy) {
  return policy == RestartPolicy::never ? "never" : "on-failure";
}

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

// The executor a pod's peas run, when its `uses` names one (see core/executor_uses.cpp for the
// forms): the kind, its `with:` options as YAML text (shipped to pea processes like driver
// options), and its metas.
struct ExecutorSpec {
  std::string kind;
  std::string with_yaml = "{}";
  std::string name;                 // metas.name; the pod's name unless given
  std::filesystem::path workspace;  // metas.workspace, absolute; empty: state is not persisted
  SourceLocation where;
  bool operator==(const ExecutorSpec& other) const {
    return kind == other.kind && with_yaml == other.with_yaml && name == other.name &&
           workspace == other.workspace;
  }
};

// What a pod asks of the machine that runs it, in Kubernetes' quantities ("500m", "1.5", "256Mi"):
// `jflow export --k8s` writes them as the container's requests and limits; `jflow run` does not
// enforce them. Empty: not given.
struct PodResources {
  std::string cpu_request, cpu_limit, memory_request, memory_limit;
  bool empty() const {
    return cpu_request.empty() && cpu_limit.empty() && memory_request.empty() &&
           memory_limit.empty();
  }
  bool operator==(const PodResources& other) const = default;
};

struct PodSpec {
  std::string name;
  std::string uses = "_pass";  // as written: a built-in name (_pass, _log) or driver-list YAML
  DriverChains drivers;        // what `uses` resolved to
  std::optional<ExecutorSpec> executor;  // when `uses` names an executor
  Runtime runtime = Runtime::thread;
  Duration timeout_ready = std::chrono::seconds(10);
  // The pods (or kGateway) whose output this pod takes. Never empty after parsing: a pod without
  // `needs` needs the pod before it in the list, the first pod needs kGateway. Several names make
  // the pod join: it runs once per request on the parts of all of them.
  std::vector<std::string> needs;
  std::size_t parallel = 1;  // replicas (shards with polling: all); > 1 adds a head and a tail
  Polling polling = Polling::any;
  Scheduling scheduling = Scheduling::load_balance;  // how the head picks a replica (polling any)
  DriverChains uses_before;  // runs on the head (parallel > 1); empty chains = forward
  DriverChains uses_after;   // runs on the tail; required when polling: all and parallel > 1
  // How long a join (several needs, or a polling-all tail) waits for the parts of a request that
  // has no deadline; a request with a deadline waits until its deadline.
  Duration join_timeout = std::chrono::seconds(30);
  PartialResults partial_results = PartialResults::error;  // polling: all only
  // "ADDR:PORT" of the `jflow daemon` that runs this pod's peas (as processes on that host);
  // empty: this machine. Written `host: ADDR[:PORT]`, the port defaulting to defaults::kDaemonPort.
  std::string host;
  PodResources resources;  // `resources: {requests: {cpu, memory}, limits: {cpu, memory}}`
  // Restarting a pea that died (docs/YAML.md, "restart"): up to max_restarts restarts within any
  // restart_window; one more crash inside the window and the pod is reported failed.
  RestartPolicy restart = RestartPolicy::on_failure;
  std::size_t max_restarts = 5;
  Duration restart_window = std::chrono::minutes(1);
  SourceLocation where;
  // Where keys and `needs` entries were written, so that graph errors found after parsing
  // (cycles, unknown needs, a missing reducer) point at them. Empty for FlowBuilder specs and for
  // the implicit `needs`; not part of equality.
  std::map<std::string, SourceLocation, std::less<>> key_where;
  std::vector<SourceLocation> needs_where;  // one per `needs` entry as written
  bool operator==(const PodSpec& other) const {
    return name == other.name && drivers == other.drivers && executor == other.executor &&
           runtime == other.runtime && timeout_ready == other.timeout_ready &&
           needs == other.needs && parallel == other.parallel && polling == other.polling &&
           scheduling == other.scheduling && uses_before == other.uses_before &&
           uses_after == other.uses_after && join_timeout == other.join_timeout &&
           partial_results == other.partial_results && host == other.host &&
           resources == other.resources && restart == other.restart &&
           max_restarts == other.max_restarts && restart_window == other.restart_window;
  }
};

// How a line of input becomes a document: all of it is the text, or "id<TAB>text".
enum class LineFormat { text, tsv };
std::string_view line_format_name(LineFormat format);

// One phase of the flow's declared input for `jflow run`: each line of a file becomes one
// document. A flow may declare several phases (index a corpus, then search it); they run in order.
struct InputSpec {
  std::filesystem::path lines;  // resolved relative to the YAML file's folder
  RequestType type = RequestType::index;
  std::size_t request_size = 1;  // documents per request
  LineFormat format = LineFormat::text;
  std::int64_t top_k = 0;  // > 0: sent as the requests' top_k parameter
  bool progress = false;   // show a counter instead of one line per request
  bool operator==(const InputSpec&) const = default;
};

// `curve:` — encrypt and authenticate the flow's links (jflow/curve_link.hpp). `key` is this
// orchestrator's key pair (a `jflow keygen` .secret file), shown to daemons, which accept only the
// keys they list; `hosts` names each daemon's public key (.pub), keyed by its "ADDR:PORT".
struct CurveSpec {
  std::filesystem::path key;
  std::map<std::string, std::filesystem::path> hosts;
  bool operator==(const CurveSpec&) const = default;
};

struct FlowSpec {
  int version = 1;
  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";  // where tcp peas bind; loopback unless configured
  Duration timeout_ready = std::chrono::seconds(10);  // default for pods that do not set one
  Duration request_timeout = Duration::zero();        // default deadline per request; 0 = none
  // Requests in flight at once (the back-pressure window), 1 … defaults::kMaxInFlightLimit.
  std::size_t max_in_flight = defaults::kMaxInFlight;
  std::vector<InputSpec> input;  // phases, in order
  // Shared libraries with executors and drivers (jflow/plugin.hpp), absolute paths; loaded while
  // the spec is parsed and again by every process pea.
  std::vector<std::filesystem::path> plugins;
  // Where executors persist their state unless their metas say otherwise; absolute. Empty: they
  // keep it in memory only.
  std::filesystem::path workspace;
  std::optional<CurveSpec> curve;  // unset: links are not encrypted
  std::vector<PodSpec> pods;
  std::string source;  // file the spec came from, for messages
  bool operator==(const FlowSpec& other) const {
    return version == other.version && transport == other.transport && host == other.host &&
           timeout_ready == other.timeout_ready && request_timeout == other.request_timeout &&
           max_in_flight == other.max_in_flight && input == other.input &&
           plugins == other.plugins && workspace == other.workspace && curve == other.curve &&
           pods == other.pods;
  }
};

// Looks up ${VAR} / ${VAR:-default}; returns nullopt when VAR is unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
EnvLookup process_environment();

// Resolves a pod's `uses` (a built-in name like "_pass", or YAML text of a driver list such as
// "- !WaitDriver {duration: 1s}") into driver chains, validated against `registry`.
DriverChains resolve_uses(const YAML::Node& uses, const std::string& file,
                          const DriverRegistry& registry = registered_drivers());

// The names `uses`, `uses_before` and `uses_after` accept besides driver lists, each standing for
// one driver with its default options: _pass, _log, _merge, _merge_matches.
struct UsesAlias {
  std::string_view name;
  std::string_view kind;
};
const std::vector<UsesAlias>& uses_aliases();

FlowSpec parse_flow_yaml(std::string_view text, const std::string& file,
                         const EnvLookup& env = process_environment(),
                         const DriverRegistry& registry = registered_drivers());
FlowSpec load_flow_yaml(const std::filesystem::path& path,
                        const EnvLookup& env = process_environment(),
                        const DriverRegistry& registry = registered_drivers());

// Builds a FlowSpec in C++; produces the same spec as the equivalent YAML.
//   auto spec = FlowBuilder().transport(Transport::ipc)
//                   .add("slow", "- !WaitDriver {duration: 1s}")
//                   .add("log", "_log", Runtime::process)
//                   .build();
// `uses` strings are read by the same code as a flow file's `uses`, so add("w", "- !WaitDriver
// {duration: 1s}") gives the same PodSpec as that YAML; ${VAR} is not substituted here. Errors
// inside a `uses` string are located in it: "pod 'w' uses:1:3: unknown driver 'WiatDriver' …".
// The pod setters (pod_timeout_ready, needs, parallel, …) apply to the pod added last; a diamond:
//   FlowBuilder().add("a").add("b").needs({"a"}).add("c").needs({"a"})
//       .add("d", "_merge").needs({"b", "c"}).build();
// Thread-safety: a FlowBuilder is a plain value; use one from one thread at a time.
class FlowBuilder {
 public:
  explicit FlowBuilder(const DriverRegistry& registry = registered_drivers());
  FlowBuilder& transport(Transport transport);
  FlowBuilder& host(std::string host);
  FlowBuilder& timeout_ready(Duration timeout);  // default for pods, like the YAML's
  FlowBuilder& request_timeout(Duration timeout);
  FlowBuilder& max_in_flight(std::size_t requests);  // build() checks 1 … kMaxInFlightLimit
  // Where executors persist state unless their metas say otherwise (default: in memory only).
  FlowBuilder& workspace(std::filesystem::path folder);
  // Loads a plugin now (throws SpecError naming the file) and ships it to process peas.
  FlowBuilder& plugin(std::filesystem::path library);
  // Adds an input phase; `lines` as a path usable from the current folder.
  FlowBuilder& input(InputSpec input);
  FlowBuilder& add(std::string name, std::string uses = "_pass", Runtime runtime = Runtime::thread);
  // For the pod added last; each throws std::logic_error when no pod was added yet.
  FlowBuilder& pod_timeout_ready(Duration timeout);
  FlowBuilder& needs(std::vector<std::string> needs);  // unset: the previous pod, or gateway
  FlowBuilder& parallel(std::size_t parallel);
  FlowBuilder& polling(Polling polling);
  FlowBuilder& scheduling(Scheduling scheduling);
  FlowBuilder& uses_before(std::string uses);  // the same forms as add()'s `uses`
  FlowBuilder& uses_after(std::string uses);
  FlowBuilder& join_timeout(Duration timeout);
  FlowBuilder& partial_results(PartialResults mode);  // flag needs polling(Polling::all)
  // What happens when one of the pod's peas dies (see PodSpec::restart).
  FlowBuilder& restart(RestartPolicy policy, std::size_t max_restarts = 5,
                       Duration window = std::chrono::minutes(1));
  // Runs the pod's peas on the `jflow daemon` at "ADDR[:PORT]" (see docs/HOSTS.md).
  FlowBuilder& pod_host(std::string address);
  // CURVE for the flow's links: this orchestrator's .secret file, and a daemon's .pub file.
  FlowBuilder& curve_key(std::filesystem::path secret_file);
  FlowBuilder& host_key(std::string address, std::filesystem::path public_file);
  FlowSpec build() const;  // validates like the YAML parser does; throws SpecError

 private:
  // What was said about a pod that PodSpec cannot hold until build() checks it.
  struct PodExtras {
    std::optional<Duration> timeout_ready;  // unset: the flow's timeout_ready
    std::optional<std::vector<std::string>> needs;
    std::optional<std::string> uses_before;
    std::optional<std::string> uses_after;
  };
  PodExtras& last(const char* setter);

  FlowSpec spec_;
  const DriverRegistry* registry_;
  std::vector<PodExtras> extras_;  // one per pod
};

}  // namespace jflow
