// YAML loading with a bound on what anchors and aliases expand to. yaml-cpp shares an aliased node
// instead of copying it, but everything that walks the tree (the checks, ${VAR} substitution,
// canonical_yaml for driver options) visits it once per alias: a 1 KB "billion laughs" file is
// 10^9 nodes to them. Every YAML text jflow reads goes through these.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace jflow::spec {

// The most a document may expand to, counting every node once per path to it.
inline constexpr std::size_t kMaxYamlNodes = 100'000;
inline constexpr std::size_t kMaxYamlScalarBytes = 16 * 1024 * 1024;

// As YAML::Load / YAML::LoadAll, and the same YAML::ParserException (with the mark of the alias
// that crosses a bound) for a document that expands past kMaxYamlNodes nodes or
// kMaxYamlScalarBytes bytes of scalars.
YAML::Node load_bounded(const std::string& text);
std::vector<YAML::Node> load_all_bounded(const std::string& text);

}  // namespace jflow::spec
