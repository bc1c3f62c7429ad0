// ExecutorRegistry: how an executor kind named in YAML becomes a validated executor.
#include "jflow/executor.hpp"
#include "spec/spec_support.hpp"

namespace jflow {

std::filesystem::path ExecutorMetas::replica_workspace() const {
  return workspace / (name + "-" + std::to_string(replica_id));
}

std::unique_ptr<Executor> ExecutorRegistry::create(std::string_view kind, const YAML::Node& with,
                                                   const ExecutorMetas& metas,
                                                   const std::string& file) const {
  const SourceLocation where = spec::location_of(with, file);
  const Entry* entry = find(kind);
  if (entry == nullptr) spec::throw_unknown_kind(where, noun(), kind, kinds());
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
