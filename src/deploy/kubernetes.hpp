// `jflow export --k8s DIR`: plain Kubernetes manifests for a DeployPlan (docs/KUBERNETES.md).
#pragma once

#include <filesystem>

#include "deploy/deploy_plan.hpp"

namespace jflow::deploy {

// Writes DIR/kustomization.yaml, DIR/config.yaml (the ConfigMap), DIR/curve-keys.yaml (the
// Secret, mode 0600, unless the plan is without CURVE), DIR/<orchestrator>.yaml and one
// DIR/<workload>.yaml per pod. DIR must exist. Returns the files written.
std::vector<std::filesystem::path> write_kubernetes(const DeployPlan& plan,
                                                    const std::filesystem::path& dir);

}  // namespace jflow::deploy
