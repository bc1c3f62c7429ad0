// ExecutorRegistry: how an executor kind named in YAML becomes a validated executor.
#include <algorithm>

#include "jflow/executor.hpp"
#include "spec/spec_support.hpp"

namespace jflow {

std::filesystem::path ExecutorMetas::replica_workspace() const {
  return workspace / (name + "-" + std::to_string(replica_id));
}

void ExecutorRegistry::add(ExecutorInfo info, ExecutorFactory factory) {
  const auto existing = std::find_if(entries_.begin(), entries_.end(),
                                     [&](const Entry& e) { return e.info.kind == info.kind; });
  if (existing != entries_.end()) {
    *existing = {std::move(info), std::move(factory)};
    return;
  }
  entries_.push_back({std::move(info), std::move(factory)});
}

bool ExecutorRegistry::contains(std::string_view kind) const {
  return info(kind) != nullptr;
}

std::vector<std::string> ExecutorRegistry::kinds() const {
  std::vector<std::string> result;
  for (const Entry& entry : entries_) result.push_back(entry.info.kind);
  return result;
}

const ExecutorInfo* ExecutorRegistry::info(std::string_view kind) const {
  for (const Entry& entry : entries_) {
    if (entry.info.kind == kind) return &entry.info;
  }
  return nullptr;
}

std::unique_ptr<Executor> ExecutorRegistry::create(std::string_view kind, const YAML::Node& with,
                                                   const ExecutorMetas& metas,
                                                   const std::string& file) const {
  const SourceLocation where = spec::location_of(with, file);
  const auto entry = std::find_if(entries_.begin(), entries_.end(),
                                  [&](const Entry& e) { return e.info.kind == kind; });
  if (entry == entries_.end()) spec::throw_unknown_kind(where, "executor", kind, kinds());
  DriverOptions reader(with, file, std::string(kind));
  return spec::make_located<std::unique_ptr<Executor>>(
      where, kind, reader, [&](DriverOptions& options) { return entry->factory(options, metas); });
}

void ExecutorRegistry::validate(std::string_view kind, const YAML::Node& with,
                                const std::string& file) const {
  ExecutorMetas scratch;
  scratch.name = std::string(kind);
  create(kind, with, scratch, file);
}

}  // namespace jflow
