// `jflow keygen` through the binary: it writes a pair that the library reads back, refuses to
// overwrite without --force, and rejects bad names with exit code 2.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <array>
#include <cstdio>
#include <filesystem>

#include "jflow/curve_keys.hpp"
#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"

using jflow::test::Outcome;
using jflow::test::run_jflow;

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

using jflow::test::TempDir;

TEST_CASE("jflow keygen writes a pair the library reads back", "[cli][curve]") {
  TempDir dir("keygen");
  const fs::path keys_dir = dir.path() / "keys";  // keygen makes the folder
  Outcome out = run_jflow({"keygen", "node-1", "--dir", keys_dir.string()});
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  fs::path pub = keys_dir / "node-1.pub";
  fs::path secret = keys_dir / "node-1.secret";
  jflow::CurveKeyPair keys = jflow::read_curve_secret(secret);
  CHECK(jflow::read_curve_public(pub) == keys.public_key);
  CHECK_THAT(out.output, Contains(pub.string()) && Contains(secret.string()) &&
                             Contains(keys.public_key) && !Contains(keys.secret_key));
  struct stat info {};
  REQUIRE(::stat(secret.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  SECTION("a second keygen of the same name is refused and changes nothing") {
    Outcome again = run_jflow({"keygen", "node-1", "--dir", keys_dir.string()});
    INFO(again.output);
    CHECK(again.exit_code == 2);
    CHECK_THAT(again.output, Contains("exists already") && Contains("--force"));
    CHECK(jflow::read_curve_secret(secret).secret_key == keys.secret_key);
  }
  SECTION("--force replaces the pair") {
    Outcome forced = run_jflow({"keygen", "node-1", "--dir", keys_dir.string(), "--force"});
    INFO(forced.output);
    CHECK(forced.exit_code == 0);
    jflow::CurveKeyPair fresh = jflow::read_curve_secret(secret);
    CHECK(fresh.secret_key != keys.secret_key);
    CHECK(jflow::read_curve_public(pub) == fresh.public_key);
  }
}

TEST_CASE("jflow keygen rejects bad names with exit code 2", "[cli][curve]") {
  TempDir dir("keygen");
  const fs::path keys_dir = dir.path() / "keys";
  for (const char* name : {"", "a/b", "..", "."}) {
    Outcome out = run_jflow({"keygen", name, "--dir", keys_dir.string()});
    INFO("name '" << name << "': " << out.output);
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains("NAME"));
  }
  Outcome missing = run_jflow({"keygen"});
  CHECK(missing.exit_code == 2);
  CHECK(!fs::exists(keys_dir));
}
