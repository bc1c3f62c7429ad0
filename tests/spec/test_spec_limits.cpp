// Counts and names a flow file can give that would otherwise fail only at run time, or allocate
// without bound, are refused by the checks with file:line:col (issue 16, found 4 and 9).
#include <catch2/catch.hpp>

#include <string>

#include "jflow/flow_spec.hpp"
#include "jflow/spec_error.hpp"

namespace {

std::string spec_limit_refusal(const std::string& yaml) {
  try {
    (void)jflow::parse_flow_yaml(yaml, "limits.yml");
  } catch (const jflow::SpecError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("a pod name longer than 200 bytes is refused at check, naming the limit", "[spec]") {
  const std::string long_name(256, 'p');
  const std::string what = spec_limit_refusal("version: 1\npods:\n  - name: " + long_name + "\n");
  CHECK_THAT(what, Catch::Contains("limits.yml:3:"));
  CHECK_THAT(what, Catch::Contains("pod name of 256 bytes; at most 200"));
  CHECK_THAT(what, Catch::Contains("255 bytes"));
  CHECK(spec_limit_refusal("version: 1\npods:\n  - name: " + std::string(200, 'p') + "\n") ==
        "(accepted)");
}

TEST_CASE("parallel past 1024 is refused before anything is allocated", "[spec]") {
  const std::string what =
      spec_limit_refusal("version: 1\npods:\n  - name: a\n    parallel: 9223372036854775807\n");
  CHECK_THAT(what, Catch::Contains("limits.yml:4:"));
  CHECK_THAT(what, Catch::Contains("parallel is at most 1024"));
  CHECK(spec_limit_refusal("version: 1\npods:\n  - name: a\n    parallel: 1024\n") == "(accepted)");
}
