// The files a Compose or systemd export keeps beside its units: the rewritten flow and its
// executor files in FOLDER/flow/, CURVE key pairs in FOLDER/keys/ (Kubernetes keeps both in a
// ConfigMap and a Secret instead).
#pragma once

#include <filesystem>
#include <vector>

#include "deploy/deploy_plan.hpp"

namespace jflow::deploy {

// Makes FOLDER/flow and FOLDER/keys (mode 0700), writes the flow as `placement` says and, when
// the plan has CURVE, a fresh key pair for the orchestrator and each workload. Returns the files.
std::vector<std::filesystem::path> write_local_files(const DeployPlan& plan,
                                                     const std::filesystem::path& folder,
                                                     const Placement& placement);

}  // namespace jflow::deploy
