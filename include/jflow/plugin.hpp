// Plugins: shared libraries that add executors (and drivers) to jflow at run time.
//
// A flow file lists them, relative to itself:   plugins: [build/libword_count.so]
// The orchestrator loads them while parsing (so `uses:` can name their executors and errors show
// up before anything starts) and every process pea loads the same files before it builds its
// executor. A plugin is built against the installed jflow headers and defines its entry point
// with JFLOW_PLUGIN:
//
//   #include <jflow/plugin.hpp>
//   JFLOW_PLUGIN(registrar) {
//     registrar.executors.add(WordCounter::info(), [](jflow::DriverOptions& with,
//                                                     const jflow::ExecutorMetas& metas) { … });
//   }
//
// Loading fails with a PluginError naming the file when it is missing, is not a shared library,
// lacks the entry point, or was built for another jflow ABI.
// Thread-safety: load plugins before starting flows; loading mutates the process-wide registries
// that peas read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "jflow/driver.hpp"
#include "jflow/executor.hpp"

namespace jflow {

// Bumped whenever a change to the public headers breaks plugins built against the old ones. The
// compiler's C++ ABI version is part of the check, since executors cross the boundary as C++
// objects.
inline constexpr std::uint32_t kPluginAbi = 2;  // 2: registries are jflow/registry.hpp
#ifdef __GXX_ABI_VERSION
inline constexpr std::uint32_t kCompilerAbi = __GXX_ABI_VERSION;
#else
inline constexpr std::uint32_t kCompilerAbi = 0;
#endif

struct PluginRegistrar {
  DriverRegistry& drivers;
  ExecutorRegistry& executors;
};

class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Loads the plugin at `path` once per process (later calls with the same file do nothing) and
// lets it register its kinds. Throws PluginError, also when the plugin registers a kind that is
// known already (a built-in, another plugin's): then it adds none of its kinds.
void load_plugin(const std::filesystem::path& path);

}  // namespace jflow

// The two C symbols jflow looks up in a plugin: the ABI it was built for, and its registration.
#define JFLOW_PLUGIN(registrar)                          \
  extern "C" std::uint32_t jflow_plugin_abi() {          \
    return ::jflow::kPluginAbi;                          \
  }                                                      \
  extern "C" std::uint32_t jflow_plugin_compiler_abi() { \
    return ::jflow::kCompilerAbi;                        \
  }                                                      \
  extern "C" void jflow_register_plugin(::jflow::PluginRegistrar& registrar)
