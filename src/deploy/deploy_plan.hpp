// What `jflow export --k8s / --compose / --systemd` deploys, decided once for all three: one
// workload per jflow pod, running `jflow daemon`, and one orchestrator running `jflow run --serve`
// with the flow rewritten so that each pod's `host:` is its workload's daemon (docs/KUBERNETES.md).
// A pod's replicas, head and tail all run on its daemon: jflow places a pod on one host, so a
// pod's workload is one container, scaled by the flow's `parallel`, not by Kubernetes' replicas.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "jflow/flow_spec.hpp"

namespace jflow::deploy {

inline constexpr const char* kDefaultImage = "jflow:latest";
inline constexpr const char* kConfigDir = "/etc/jflow/flow";  // the ConfigMap, in containers
inline constexpr const char* kKeyDir = "/etc/jflow/keys";     // the Secret, in containers
inline constexpr const char* kWorkspaceDir = "/var/lib/jflow/workspace";
inline constexpr const char* kFlowFileName = "flow.yml";
inline constexpr const char* kOrchestratorKey = "orchestrator";  // its key files' base name
inline constexpr int kServeZmqPort = 45678;
inline constexpr int kServeHttpPort = 45680;

struct DeployOptions {
  std::string image = kDefaultImage;
  bool curve = true;  // false: plain tcp between workloads (daemons run --insecure)
};

// One jflow pod and the daemon that runs its peas.
struct Workload {
  std::string pod;   // the jflow pod's name
  std::string name;  // DNS label: its Service, workload, container, key files, unit
  std::size_t parallel = 1;
  // The replica folders of an executor with state (metas.name-N, one per replica or shard), each
  // on a volume of its own; empty: nothing to keep, and the workload is a Deployment.
  std::vector<std::string> state_folders;
  PodResources resources;
  bool stateful() const { return !state_folders.empty(); }
};

struct DeployPlan {
  std::string flow;          // the flow's label, from its file's name
  std::string orchestrator;  // the orchestrator's label ("FLOW-gateway")
  std::vector<Workload> workloads;
  // Files the orchestrator reads beside flow.yml: executor YAML files named in `uses`, by the
  // name they get in the config folder (a ConfigMap key), with their text.
  std::map<std::string, std::string> extra_files;
  std::filesystem::path source;  // the flow file
  DeployOptions options;
};

// Where the rewritten flow puts things, as the orchestrator sees them.
struct Placement {
  std::string orchestrator_host;               // the flow's `host:`
  std::map<std::string, std::string> daemons;  // pod name -> "ADDR:PORT"
  std::string key_dir;                         // folder of the key files
  std::string workspace;                       // the flow's workspace folder
};

// Throws SpecError (the flow's own checks) or std::runtime_error naming what cannot be deployed.
DeployPlan plan_deploy(const std::filesystem::path& flow_file, DeployOptions options);

// The flow file as the orchestrator runs it: `transport: tcp`, `host:` and each pod's `host:` as
// placed, `runtime:` keys dropped (peas on daemons are processes), `curve:` naming the exported
// keys (or gone), `workspace:` and every `metas: workspace:` set to the placement's, `input:`
// dropped (the flow is served), and `uses:` files renamed as in extra_files.
std::string deployed_flow_text(const DeployPlan& plan, const Placement& placement);

// The daemon's command line for a workload: listen on `listen`, admit the orchestrator's key and
// its own (its probe pings it with that key), keys in `key_dir`.
std::vector<std::string> daemon_command(const DeployPlan& plan, const Workload& workload,
                                        const std::string& listen, const std::string& key_dir);

// `jflow ping --daemon` of a workload's daemon at `address`, as a probe runs it.
std::vector<std::string> daemon_ping_command(const DeployPlan& plan, const Workload& workload,
                                             const std::string& address,
                                             const std::string& key_dir);

// The orchestrator's: `jflow run --serve` of `flow_file`, serving ZeroMQ and HTTP on `bind`.
std::vector<std::string> orchestrator_command(const std::string& flow_file,
                                              const std::string& bind);

// Writes `text` to `path` (mode 0644, or 0600 when `secret`), refusing to follow a symlink;
// throws std::runtime_error naming the file and why.
void write_file(const std::filesystem::path& path, const std::string& text, bool secret = false);

// A fresh key pair's .pub and .secret texts, as `jflow keygen` writes them.
struct KeyTexts {
  std::string public_text, secret_text;
};
KeyTexts fresh_key_texts(const std::string& name);

}  // namespace jflow::deploy
