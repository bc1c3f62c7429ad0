// What of Jina 0.x's flow YAML jflow reads, and how it refuses the rest. Jina users bring flow
// files with `!Flow`, `version: '1.0'`, the legacy map of pods, `method:` and Jina's built-in
// `uses` names; those that mean something jflow has are read as that thing (flow_spec.cpp,
// uses.cpp), and what cannot run here — Python executor classes, docker images, built-ins jflow
// lacks, unknown versions — is a SpecError at the part, saying what to do instead.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "spec/spec_support.hpp"

namespace jflow::spec {

// `version:` as jflow (1) or Jina ('1', '1.0') writes it; anything else fails at the field.
int read_flow_version(const Field& field);

// The root's tag: none, or Jina's `!Flow`. Others fail at the root.
void check_flow_tag(const YAML::Node& root, const std::string& file);

// Jina's built-in `uses` names that jflow has under its own name: _forward and _route → _pass,
// _logforward → _log, _merge_chunks → _merge. nullopt for any other name.
std::optional<std::string_view> jina_builtin_alias(std::string_view name);

// Why a `uses` scalar written for Jina cannot run here (a built-in jflow lacks, a docker image),
// with the jflow way; nullopt when it is not one of those.
std::optional<std::string> jina_uses_problem(std::string_view uses);

// Appended to "unknown uses/executor 'X'" when X looks like a Python class name.
std::string python_executor_hint(std::string_view name);

// `method:` of a Jina v1 pod: add (the default), needs (a join) or inspect.
enum class PodMethod { add, needs, inspect };
PodMethod read_pod_method(const Field& field);

}  // namespace jflow::spec
