// `jflow export --systemd DIR`: systemd units for a DeployPlan, for machines without a cluster:
// one unit per pod's daemon (each on its own loopback port) and one for the orchestrator, which
// wants them all. Move a daemon's unit to another machine by changing its --listen and the pod's
// `host:` in DIR/flow/flow.yml (docs/KUBERNETES.md).
#pragma once

#include <filesystem>

#include "deploy/deploy_plan.hpp"

namespace jflow::deploy {

// Writes DIR/jflow-<name>.service for the orchestrator and each workload, DIR/flow/ and
// DIR/keys/ as write_compose does; `jflow_binary` is the absolute path units run. Returns the
// files written.
std::vector<std::filesystem::path> write_systemd(const DeployPlan& plan,
                                                 const std::filesystem::path& dir,
                                                 const std::filesystem::path& jflow_binary);

}  // namespace jflow::deploy
