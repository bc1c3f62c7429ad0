// YAML that would expand without bound is refused with file:line:col: anchors and aliases
// ("billion laughs") anywhere in a flow file, and ${VAR} substitution through `env:` entries that
// repeat each other (issue 16, found 4). Without the bounds each case runs for minutes or
// allocates gigabytes (and the test times out).
#include <catch2/catch.hpp>

#include <string>

#include "jflow/flow_spec.hpp"
#include "jflow/spec_error.hpp"

namespace {

// Nine levels of ten aliases each: 10^9 leaves once expanded, from about 700 bytes.
std::string laughs(const std::string& indent) {
  std::string yaml = indent + "l0: &l0 [lol]\n";
  for (int level = 1; level <= 9; ++level) {
    const std::string previous = "*l" + std::to_string(level - 1);
    yaml += indent + "l" + std::to_string(level) + ": &l" + std::to_string(level) + " [";
    for (int i = 0; i < 10; ++i) yaml += (i ? ", " : "") + previous;
    yaml += "]\n";
  }
  return yaml;
}

std::string yaml_refusal(const std::string& yaml) {
  try {
    (void)jflow::parse_flow_yaml(yaml, "limits.yml",
                                 [](const std::string&) { return std::optional<std::string>(); });
  } catch (const jflow::SpecError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("billion laughs under an unknown key is refused at the alias that crosses the bound",
          "[spec][limits]") {
  const std::string what =
      yaml_refusal("version: 1\nbogus:\n" + laughs("  ") + "pods:\n  - name: a\n");
  CHECK_THAT(what, Catch::Contains("limits.yml:"));
  CHECK_THAT(what, Catch::Contains("expand this document past 100000 nodes"));
}

TEST_CASE("billion laughs in a driver's options or an executor's with: is refused",
          "[spec][limits]") {
  const std::string in_driver = yaml_refusal(
      "version: 1\npods:\n  - name: a\n    uses:\n      - !WaitDriver\n        duration: 1s\n"
      "        extra:\n" +
      laughs("          "));
  CHECK_THAT(in_driver, Catch::Contains("past 100000 nodes"));
  const std::string in_with =
      yaml_refusal("version: 1\npods:\n  - name: a\n    uses: !FeatureHashEncoder\n      with:\n" +
                   laughs("        "));
  CHECK_THAT(in_with, Catch::Contains("past 100000 nodes"));
}

TEST_CASE("a document that uses aliases within the bound still loads", "[spec][limits]") {
  const std::string ok =
      yaml_refusal("version: 1\nwith: &w {runtime: thread}\npods:\n  - name: a\n  - name: b\n");
  CHECK(ok == "(accepted)");
}

TEST_CASE("env: entries that repeat each other stop at 1 MiB per value", "[spec][limits]") {
  std::string yaml =
      "version: 1\nenv:\n  V0: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n";
  for (int i = 1; i <= 10; ++i) {
    yaml += "  V" + std::to_string(i) + ": \"";
    for (int j = 0; j < 10; ++j) yaml += "${V" + std::to_string(i - 1) + "}";
    yaml += "\"\n";
  }
  yaml += "pods:\n  - name: a\n";
  const std::string what = yaml_refusal(yaml);
  CHECK_THAT(what, Catch::Contains("limits.yml:"));
  CHECK_THAT(what, Catch::Contains("longer than 1048576 bytes"));
}

// Found by fuzz/fuzz_flow_yaml.cpp: an alias inside its own anchor made a node that contains
// itself, and ${VAR} substitution recursed over it until the stack overflowed.
TEST_CASE("an alias inside the node it names is refused at the alias", "[spec][limits]") {
  const std::string what = yaml_refusal("version: 1\nx: &a [1, 2, *a]\npods:\n  - name: a\n");
  CHECK_THAT(what, Catch::Contains("limits.yml:2:"));
  CHECK_THAT(what, Catch::Contains("an alias inside the node it names (a cycle)"));
  CHECK_THAT(yaml_refusal("version: 1\nx: &m {k: *m}\npods:\n  - name: a\n"),
             Catch::Contains("(a cycle)"));
}

// Found by fuzz/fuzz_flow_yaml.cpp: yaml-cpp 0.7 does not consume a stray ',' at the top level,
// so reading every document of ",a" never ended (`jflow check` hung on a two-byte file).
TEST_CASE("a stray character at a document's top level is refused, not looped on",
          "[spec][limits]") {
  for (const char* text : {",a", ",", ",x #y", ",iE ch#~e"}) {
    INFO("text: " << text);
    CHECK_THAT(yaml_refusal(text), Catch::Contains("limits.yml:1:1: invalid YAML: unexpected "
                                                   "character at the top level"));
  }
}
