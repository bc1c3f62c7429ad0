// check_shard_files: this shard's file against its siblings' and the pod's parallel.
#include "executors/shard_files.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>

namespace jflow::executors {

void check_shard_files(const ExecutorMetas& metas, std::string_view file_name) {
  if (!metas.persistent()) return;
  const std::string prefix = metas.name + "-";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(metas.workspace, error)) {
    const std::string folder = entry.path().filename().string();
    if (folder.rfind(prefix, 0) != 0 || !entry.is_directory()) continue;
    const std::string number = folder.substr(prefix.size());
    if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos ||
        number.size() > 6)
      continue;
    if (std::stoul(number) >= metas.parallel && std::filesystem::exists(entry.path() / file_name)) {
      throw std::runtime_error(
          (entry.path() / file_name).string() + ": saved by shard " + number +
          ", but the pod has " + std::to_string(metas.parallel) +
          " (parallel): the index was saved with more shards; run with the same parallel");
    }
  }
  const std::filesystem::path own = metas.replica_workspace() / file_name;
  if (std::filesystem::exists(own)) return;
  for (std::size_t shard = 0; shard < metas.parallel; ++shard) {
    if (shard == metas.replica_id) continue;
    ExecutorMetas sibling = metas;
    sibling.replica_id = shard;
    const std::filesystem::path saved = sibling.replica_workspace() / file_name;
    if (std::filesystem::exists(saved)) {
      throw std::runtime_error(
          own.string() + " is missing, but shard " + std::to_string(shard) + " of " +
          std::to_string(metas.parallel) + " has " + saved.string() +
          ": a shard's folder was deleted or moved (to start afresh, delete every " + prefix +
          "* folder)");
    }
  }
}

}  // namespace jflow::executors
