// Bad `jflow export` calls for deployments end with exit 2 and a message naming what is wrong;
// files are never written through a symlink; svg/png rendering keeps its temporary dot file in a
// private folder, not at a predictable name in $TMPDIR (issue 16, item 4).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "deploy/export_fixture.hpp"

using Catch::Matchers::Contains;
using jflow::test::Outcome;
using jflow::test::run_jflow;
using jflow::test::TempDir;

TEST_CASE("jflow export --k8s refuses bad output places with exit 2, naming them",
          "[deploy][cli][bad-input]") {
  TempDir dir("export-cli");
  const std::string flow = jflow::test::hello_flow();
  SECTION("a folder whose parent is missing") {
    const Outcome out = run_jflow({"export", flow, "--k8s", (dir.path() / "no" / "such").string()});
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output,
               Contains("--k8s") && Contains("no/such") && Contains("parent folder must exist"));
  }
  SECTION("a file where the folder should be") {
    const std::filesystem::path file = dir.write("file", "x");
    const Outcome out = run_jflow({"export", flow, "--systemd", file.string()});
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains("exists and is not a folder"));
  }
  SECTION("a symlink where a manifest goes is not followed") {
    const std::filesystem::path out_dir = dir.path() / "out";
    std::filesystem::create_directories(out_dir);
    const std::filesystem::path victim = dir.write("victim", "keep me");
    std::filesystem::create_symlink(victim, out_dir / "config.yaml");
    const Outcome out = run_jflow({"export", flow, "--k8s", out_dir.string()});
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains("cannot write") && Contains("config.yaml"));
    std::ifstream in(victim);
    std::string kept;
    std::getline(in, kept);
    CHECK(kept == "keep me");
  }
  SECTION("a folder it may not write in") {
    if (::geteuid() == 0) {
      WARN("skipped the unwritable-folder case: root may write anywhere");
      return;
    }
    const std::filesystem::path locked = dir.path() / "locked";
    std::filesystem::create_directories(locked);
    ::chmod(locked.c_str(), 0500);
    const Outcome out = run_jflow({"export", flow, "--k8s", locked.string()});
    ::chmod(locked.c_str(), 0700);
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains("cannot write in it"));
  }
  SECTION("a compose file in a missing folder") {
    const Outcome out =
        run_jflow({"export", flow, "--compose", (dir.path() / "nope" / "c.yml").string()});
    CHECK(out.exit_code == 2);
    CHECK_THAT(out.output, Contains("--compose") && Contains("does not exist"));
  }
}

TEST_CASE("jflow export refuses unknown flags and options that do not go together",
          "[deploy][cli][bad-input]") {
  TempDir dir("export-flags");
  const std::string flow = jflow::test::hello_flow();
  const std::string out = (dir.path() / "out").string();
  Outcome result = run_jflow({"export", flow, "--kubernetes", out});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output, Contains("--kubernetes"));
  result = run_jflow({"export", flow, "--k8s", out, "--compose", out + ".yml"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output, Contains("excludes"));
  result = run_jflow({"export", flow, "--k8s", out, "--format", "dot"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output, Contains("excludes"));
  result = run_jflow({"export", flow, "--image", "x:1"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output, Contains("go with --k8s, --compose or --systemd"));
  result = run_jflow({"export", flow, "--k8s"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.output, Contains("--k8s"));
  CHECK_FALSE(std::filesystem::exists(out));
}

TEST_CASE("jflow export --format svg hands dot a file in a private folder, removed after",
          "[deploy][cli][export]") {
  // A `dot` of our own on PATH reports the file it is given and its folder's mode; the real
  // Graphviz is tested in tests/cli. The old code wrote $TMPDIR/jflow-export-PID.dot.
  TempDir dir("export-dot");
  const std::filesystem::path tmp = dir.path() / "tmp";
  std::filesystem::create_directories(tmp);
  const std::filesystem::path report = dir.path() / "report";
  const std::filesystem::path fake = dir.write(
      "bin/dot",
      "#!/bin/sh\nfor last; do :; done\n"
      "{ echo \"$last\"; stat -c %a \"$(dirname \"$last\")\"; head -c 7 \"$last\"; echo; } > '" +
          report.string() + "'\necho '<svg/>'\n");
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  const std::string path = "PATH=" + fake.parent_path().string() + ":/usr/bin:/bin";
  const Outcome out = run_jflow({"export", jflow::test::hello_flow(), "--format", "svg"},
                                {path, "TMPDIR=" + tmp.string()});
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
  std::ifstream in(report);
  std::string input, mode, start;
  std::getline(in, input);
  std::getline(in, mode);
  std::getline(in, start);
  const std::filesystem::path given = input;
  CHECK(given.parent_path().parent_path() == tmp);  // in a folder of its own inside TMPDIR
  CHECK(given.parent_path() != tmp);
  CHECK(mode == "700");
  CHECK(start == "digraph");
  CHECK_FALSE(std::filesystem::exists(given.parent_path()));  // removed after
}
