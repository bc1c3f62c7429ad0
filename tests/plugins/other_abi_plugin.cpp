// A plugin built for another jflow plugin ABI (as if against older headers): loading it must be
// refused before its registration code runs, with both ABI numbers in the message.
#include <cstdint>
#include <cstdlib>

namespace jflow {
struct PluginRegistrar;
}

extern "C" std::uint32_t jflow_plugin_abi() {
  return 999;
}
#ifdef __GXX_ABI_VERSION
extern "C" std::uint32_t jflow_plugin_compiler_abi() {
  return __GXX_ABI_VERSION;
}
#else
extern "C" std::uint32_t jflow_plugin_compiler_abi() {
  return 0;
}
#endif
// Never called: the ABI check comes first. Aborting makes a missed check impossible to overlook.
extern "C" void jflow_register_plugin(jflow::PluginRegistrar&) {
  std::abort();
}
