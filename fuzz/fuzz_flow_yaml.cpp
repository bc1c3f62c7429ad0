// A flow file: yaml-cpp, then jflow's checks of every key, ${VAR} substitution (with a few
// variables set), uses: chains and the graph checks. Plugins are never loaded: a `plugins:` entry
// is refused before dlopen unless it names an existing file, and the scratch folder holds none.
#include <optional>
#include <stdexcept>
#include <string>

#include <yaml-cpp/yaml.h>

#include "fuzz_support.hpp"
#include "jflow/flow_spec.hpp"
#include "jflow/spec_error.hpp"

namespace {

std::optional<std::string> fuzz_env(const std::string& name) {
  if (name == "A") return "1";
  if (name == "PORT") return "5555";
  if (name == "NAME") return "pod";
  if (name == "LONG") return std::string(64, 'x');
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)jflow::parse_flow_yaml(jflow::fuzz::as_text(data, size), "fuzz.yml", fuzz_env);
  } catch (const jflow::SpecError&) {
  } catch (const YAML::Exception&) {
    // Only the parser's own errors may escape as YAML exceptions (jflow wraps the rest).
  }
  return 0;
}
