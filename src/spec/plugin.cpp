// Plugin loading with dlopen: each failure mode gets its own message naming the file, because
// "undefined symbol" from the dynamic loader alone does not tell a user what to fix.
#include "jflow/plugin.hpp"

#include <dlfcn.h>

#include <mutex>
#include <set>

namespace jflow {
namespace {

constexpr const char* kBuiltIn = "jflow's built-ins";

DriverRegistry& drivers() {
  static DriverRegistry registry = [] {
    DriverRegistry all;
    all.add_all(builtin_drivers(), kBuiltIn);
    return all;
  }();
  return registry;
}

ExecutorRegistry& executors() {
  static ExecutorRegistry registry = [] {
    ExecutorRegistry all;
    all.add_all(builtin_executors(), kBuiltIn);
    return all;
  }();
  return registry;
}

template <typename Function>
Function* find_symbol(void* library, const char* name) {
  return reinterpret_cast<Function*>(dlsym(library, name));
}

}  // namespace

const DriverRegistry& registered_drivers() {
  return drivers();
}
const ExecutorRegistry& registered_executors() {
  return executors();
}

void load_plugin(const std::filesystem::path& path) {
  static std::mutex mutex;
  static std::set<std::filesystem::path> loaded;
  const std::lock_guard lock(mutex);

  std::error_code error;
  const std::filesystem::path file = std::filesystem::canonical(path, error);
  if (error) {
    throw PluginError("plugin '" + path.string() + "': no such file");
  }
  if (loaded.count(file) != 0) return;
  // The library stays loaded for the life of the process: executors it made may outlive any
  // handle we would keep, so it is never dlclose()d. RTLD_LOCAL keeps its own symbols private.
  void* library = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    throw PluginError("plugin '" + path.string() + "' cannot be loaded: " + dlerror());
  }
  auto* abi = find_symbol<std::uint32_t()>(library, "jflow_plugin_abi");
  auto* compiler_abi = find_symbol<std::uint32_t()>(library, "jflow_plugin_compiler_abi");
  auto* register_plugin = find_symbol<void(PluginRegistrar&)>(library, "jflow_register_plugin");
  if (abi == nullptr || compiler_abi == nullptr || register_plugin == nullptr) {
    throw PluginError("plugin '" + path.string() +
                      "' is not a jflow plugin: it lacks the jflow_plugin_abi / "
                      "jflow_register_plugin entry points (define them with JFLOW_PLUGIN from "
                      "<jflow/plugin.hpp>)");
  }
  if (abi() != kPluginAbi || compiler_abi() != kCompilerAbi) {
    throw PluginError("plugin '" + path.string() + "' was built for jflow plugin ABI " +
                      std::to_string(abi()) + " (C++ ABI " + std::to_string(compiler_abi()) +
                      "), this jflow has ABI " + std::to_string(kPluginAbi) + " (C++ ABI " +
                      std::to_string(kCompilerAbi) + "): rebuild it against these headers");
  }
  // The plugin registers into registries of its own, merged only once it is done: a kind that is
  // known already (jflow/registry.hpp) refuses the whole plugin, which then adds nothing.
  DriverRegistry plugin_drivers;
  ExecutorRegistry plugin_executors;
  PluginRegistrar registrar{plugin_drivers, plugin_executors};
  try {
    register_plugin(registrar);
    drivers().check_can_add(plugin_drivers);
    executors().check_can_add(plugin_executors);
    const std::string origin = "plugin '" + path.string() + "'";
    drivers().add_all(plugin_drivers, origin);
    executors().add_all(plugin_executors, origin);
  } catch (const std::exception& e) {
    throw PluginError("plugin '" + path.string() + "' failed to register: " + e.what());
  }
  loaded.insert(file);
}

}  // namespace jflow
