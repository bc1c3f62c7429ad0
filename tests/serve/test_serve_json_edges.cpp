// HTTP JSON bodies at their edges (issue 16, found 9): a number past double's range was an
// exception nobody caught (a 500 with an empty body), and duplicate keys were taken silently.
#include <catch2/catch.hpp>

#include "serve/serve_json.hpp"

using jflow::serve::JsonError;
using jflow::serve::parse_query;

TEST_CASE("HTTP JSON: top_k 1e400 is a JsonError naming the number, not an escaped exception",
          "[serve][json]") {
  try {
    (void)parse_query(R"({"data": ["a"], "top_k": 1e400})");
    FAIL("accepted");
  } catch (const JsonError& e) {
    CHECK_THAT(e.what(), Catch::Contains("invalid JSON"));
    CHECK_THAT(e.what(), Catch::Contains("1e400"));
  }
}

TEST_CASE("HTTP JSON: duplicate keys are refused at any depth", "[serve][json]") {
  CHECK_THROWS_WITH(parse_query(R"({"data": ["a"], "top_k": 1, "top_k": 2})"),
                    Catch::Contains("duplicate key \"top_k\""));
  CHECK_THROWS_WITH(parse_query(R"({"docs": [{"id": "a", "id": "b"}]})"),
                    Catch::Contains("duplicate key \"id\""));
  CHECK_THROWS_WITH(parse_query(R"({"docs": [{"tags": {"t": 1, "t": 2}}]})"),
                    Catch::Contains("duplicate key \"t\""));
  // The same key in sibling objects is no duplicate.
  CHECK(parse_query(R"({"docs": [{"id": "a"}, {"id": "b"}], "top_k": 2})").docs.size() == 2);
}
