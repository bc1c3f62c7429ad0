#include "deploy/local_files.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace jflow::deploy {
namespace {

void make_folder(const std::filesystem::path& path, mode_t mode) {
  if (::mkdir(path.c_str(), mode) != 0 && errno != EEXIST) {
    throw std::runtime_error("cannot make folder '" + path.string() + "': " + std::strerror(errno));
  }
  if (!std::filesystem::is_directory(std::filesystem::symlink_status(path))) {
    throw std::runtime_error("'" + path.string() + "' exists and is not a folder");
  }
}

}  // namespace

std::vector<std::filesystem::path> write_local_files(const DeployPlan& plan,
                                                     const std::filesystem::path& folder,
                                                     const Placement& placement) {
  make_folder(folder, 0755);
  make_folder(folder / "flow", 0755);
  std::vector<std::filesystem::path> written;
  written.push_back(folder / "flow" / kFlowFileName);
  write_file(written.back(), deployed_flow_text(plan, placement));
  for (const auto& [name, text] : plan.extra_files) {
    written.push_back(folder / "flow" / name);
    write_file(written.back(), text);
  }
  if (!plan.options.curve) return written;
  make_folder(folder / "keys", 0700);
  const auto pair = [&](const std::string& name) {
    const KeyTexts texts = fresh_key_texts(name);
    written.push_back(folder / "keys" / (name + ".pub"));
    write_file(written.back(), texts.public_text);
    written.push_back(folder / "keys" / (name + ".secret"));
    write_file(written.back(), texts.secret_text, true);
  };
  pair(kOrchestratorKey);
  for (const Workload& workload : plan.workloads) pair(workload.name);
  return written;
}

}  // namespace jflow::deploy
