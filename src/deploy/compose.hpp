// `jflow export --compose FILE`: a Docker Compose file for a DeployPlan, one service per pod's
// daemon plus the orchestrator, with the same commands as the Kubernetes export.
#pragma once

#include <filesystem>

#include "deploy/deploy_plan.hpp"

namespace jflow::deploy {

// Writes FILE and, beside it, the folder FILE's-stem + ".d" holding flow/ (the rewritten flow and
// its executor files) and keys/ (the CURVE key pairs, .secret files mode 0600). Returns the files
// written.
std::vector<std::filesystem::path> write_compose(const DeployPlan& plan,
                                                 const std::filesystem::path& file);

}  // namespace jflow::deploy
