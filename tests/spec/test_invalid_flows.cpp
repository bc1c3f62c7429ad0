// Bad flow specs give `file:line:col: message` with a hint for near misses. The corpus in
// tests/flows/invalid/ holds one mistake per file; its first line says what the parser must answer:
//   # expect: 4:5: unknown key 'nmae' in pod (did you mean 'name'?)
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "jflow/flow_spec.hpp"
#include "spec/spec_test_drivers.hpp"

using namespace jflow;
using spec_test::stub_drivers;

namespace {

const std::string kExpectPrefix = "# expect: ";

std::vector<std::filesystem::path> invalid_flow_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(spec_test::tests_dir() + "/flows/invalid")) {
    if (entry.path().extension() == ".yml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string expectation_of(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::string first_line;
  std::getline(in, first_line);
  if (first_line.rfind(kExpectPrefix, 0) != 0) return "(no '# expect: ' line)";
  return first_line.substr(kExpectPrefix.size());
}

// Where the parser's answer differs from "line:col: message", or nothing when it matches.
std::string outcome_of(const std::filesystem::path& file) {
  try {
    load_flow_yaml(file, spec_test::fixed_env({{"JFLOW_TEST_SET", "x"}}), stub_drivers());
  } catch (const SpecError& error) {
    if (error.where().file != file.string()) return "wrong file: " + error.where().file;
    return std::to_string(error.where().line) + ":" + std::to_string(error.where().column) + ": " +
           error.message();
  }
  return "(accepted)";
}

std::unique_ptr<Driver> create(const DriverRegistry& registry, std::string_view kind,
                               const std::string& options_yaml) {
  return registry.create(kind, YAML::Load(options_yaml), "opts.yml");
}

}  // namespace

TEST_CASE("every invalid flow in the corpus fails with its expected message", "[invalid_flows]") {
  const auto files = invalid_flow_files();
  REQUIRE(files.size() >= 70);
  for (const auto& file : files) {
    INFO("flow file: " << file.string());
    CHECK(outcome_of(file) == expectation_of(file));
  }
}

TEST_CASE("SourceLocation prints file:line:col and leaves out what is unknown", "[spec_error]") {
  CHECK(SourceLocation{"flow.yml", 4, 5}.to_string() == "flow.yml:4:5");
  CHECK(SourceLocation{"flow.yml", 4, 0}.to_string() == "flow.yml:4");
  CHECK(SourceLocation{"flow.yml", 0, 0}.to_string() == "flow.yml");
  CHECK(SourceLocation{"", 2, 3}.to_string() == "2:3");
  CHECK(SourceLocation{}.to_string().empty());
}

TEST_CASE("SpecError::what() is the location and the message", "[spec_error]") {
  const SpecError error({"flow.yml", 3, 7}, "bad thing");
  CHECK(std::string(error.what()) == "flow.yml:3:7: bad thing");
  CHECK(error.message() == "bad thing");
  CHECK(std::string(SpecError({}, "no place").what()) == "no place");
}

TEST_CASE("close_matches finds typos, best first, and ignores the far-fetched", "[spec_error]") {
  const std::vector<std::string> keys{"name", "uses", "runtime", "timeout_ready"};
  CHECK(close_matches("nmae", keys) == std::vector<std::string>{"name"});
  CHECK(close_matches("runtme", keys) == std::vector<std::string>{"runtime"});
  CHECK(close_matches("TIMEOUT_READY", keys) == std::vector<std::string>{"timeout_ready"});
  CHECK(close_matches("replicas", keys).empty());
  CHECK(close_matches("ipc", {"inproc", "ipc", "tcp"}).empty());  // an exact name is no hint
  CHECK(close_matches("tcq", {"ipc", "tcp", "tcc"}) == std::vector<std::string>{"tcp", "tcc"});
}

TEST_CASE("did_you_mean lists up to three names", "[spec_error]") {
  CHECK(did_you_mean("_pas", {"_pass", "_log"}) == " (did you mean '_pass'?)");
  CHECK(did_you_mean("ab", {"ac", "ad"}) == " (did you mean 'ac' or 'ad'?)");
  CHECK(did_you_mean("aaaa", {"aaab", "aaac", "aaad", "aaae"}) ==
        " (did you mean 'aaab', 'aaac' or 'aaad'?)");
  CHECK(did_you_mean("zzz", {"_pass"}).empty());
}

TEST_CASE("DriverRegistry names unknown kinds with a hint or the known kinds",
          "[driver_registry]") {
  const DriverRegistry& registry = stub_drivers();
  CHECK(registry.kinds() == std::vector<std::string>{"ForwardDriver", "LogDriver", "WaitDriver",
                                                     "FailDriver", "MergeDriver",
                                                     "MergeMatchesDriver"});
  CHECK(registry.contains("WaitDriver"));
  CHECK_FALSE(registry.contains("waitdriver"));
  CHECK(registry.info("LogDriver")->kind == "LogDriver");
  CHECK(registry.info("Nope") == nullptr);
  CHECK(spec_test::spec_error_of([&] { create(registry, "WiatDriver", "{}"); }) ==
        "opts.yml:1:1: unknown driver 'WiatDriver' (did you mean 'WaitDriver'?)");
  CHECK(spec_test::spec_error_of([&] { create(registry, "Encoder", "{}"); }) ==
        "opts.yml:1:1: unknown driver 'Encoder' (known drivers: ForwardDriver, LogDriver, "
        "WaitDriver, FailDriver, MergeDriver, MergeMatchesDriver)");
  CHECK(create(registry, "WaitDriver", "{duration: 1s}")->kind() == "WaitDriver");
}

TEST_CASE("DriverOptions reject unknown, repeated and mistyped options where they are",
          "[driver_registry]") {
  const DriverRegistry& registry = stub_drivers();
  CHECK(spec_test::spec_error_of([&] {
          create(registry, "WaitDriver", "{duration: 1s, duraton: 2s}");
        }) == "opts.yml:1:16: unknown option 'duraton' for WaitDriver (did you mean 'duration'?)");
  CHECK(spec_test::spec_error_of([&] { create(registry, "ForwardDriver", "{x: 1}"); }) ==
        "opts.yml:1:2: unknown option 'x' for ForwardDriver (it takes no options)");
  CHECK(spec_test::spec_error_of([&] {
          create(registry, "WaitDriver", "{duration: 1s, duration: 2s}");
        }) == "opts.yml:1:16: duplicate option 'duration' for WaitDriver (first given at line 1)");
  CHECK(spec_test::spec_error_of([&] { create(registry, "LogDriver", "docs: maybe"); }) ==
        "opts.yml:1:7: docs: expected true or false, got 'maybe'");
  CHECK(spec_test::spec_error_of([&] { create(registry, "FailDriver", "{every: 1.5}"); }) ==
        "opts.yml:1:9: every: expected a whole number, got '1.5'");
  CHECK(spec_test::spec_error_of([&] { create(registry, "FailDriver", "{message: [a]}"); }) ==
        "opts.yml:1:11: message: expected a string, got a list");
  CHECK(spec_test::spec_error_of([&] { create(registry, "FailDriver", "{every: 0}"); }) ==
        "opts.yml:1:9: every must be at least 1");
  CHECK(spec_test::spec_error_of([&] { create(registry, "WaitDriver", "[1s]"); }) ==
        "opts.yml:1:1: options of WaitDriver must be a map like {key: value}, got a list");
  CHECK(create(registry, "WaitDriver", "")->kind() == "WaitDriver");  // no options at all
}

TEST_CASE("DriverRegistry locates a factory's own exceptions and refuses twins",
          "[driver_registry]") {
  DriverRegistry registry;
  registry.add({"ScaleDriver", "multiplies scores", {}}, [](DriverOptions& options) {
    const double factor = options.get_number("factor", 1.0);
    options.finish();
    if (factor == 0) throw std::invalid_argument("factor must not be 0");
    return std::make_unique<spec_test::StubDriver>("ScaleDriver");
  });
  CHECK(spec_test::spec_error_of([&] { create(registry, "ScaleDriver", "\n  {factor: 0}"); }) ==
        "opts.yml:2:3: ScaleDriver: factor must not be 0");
  CHECK(spec_test::spec_error_of([&] { create(registry, "ScaleDriver", "{factor: big}"); }) ==
        "opts.yml:1:10: factor: expected a number, got 'big'");
  CHECK_THROWS_AS(registry.add({"ScaleDriver", "", {}}, nullptr), std::invalid_argument);
  CHECK_THROWS_WITH(registry.add({"ScaleDriver", "", {}}, nullptr),
                    "driver kind 'ScaleDriver' is registered twice");
}
