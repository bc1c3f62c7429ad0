// `jflow export --compose` checked by Debian's docker-compose (`config -q`), `--systemd` by
// `systemd-analyze verify` with no warnings; the flows they run are parsed by jflow.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>

#include "deploy/export_fixture.hpp"
#include "jflow/flow_spec.hpp"

using Catch::Matchers::Contains;
using jflow::test::Outcome;
using jflow::test::run_jflow;
using jflow::test::TempDir;

namespace {

bool on_path(const std::string& program) {
  return jflow::test::run_shell("command -v " + program).first == 0;
}

}  // namespace

TEST_CASE("export --compose passes docker-compose config -q, one service per pod and the gateway",
          "[deploy][compose]") {
  if (!on_path("docker-compose")) {
    WARN("skipped: docker-compose is not installed (scripts/setup.sh installs it)");
    return;
  }
  TempDir dir("compose");
  const std::filesystem::path stateful = jflow::test::write_stateful_flow(dir);
  for (const std::string& flow : {jflow::test::hello_flow(), stateful.string()}) {
    const std::filesystem::path file =
        dir.path() / (std::filesystem::path(flow).stem().string() + "-compose.yml");
    const Outcome out = run_jflow({"export", flow, "--compose", file.string()});
    INFO(out.output);
    REQUIRE(out.exit_code == 0);
    const auto [status, report] =
        jflow::test::run_shell("docker-compose -f '" + file.string() + "' config -q");
    INFO(report);
    CHECK(status == 0);
    CHECK(report.empty());
    const YAML::Node compose = YAML::LoadFile(file.string());
    const jflow::FlowSpec spec = jflow::load_flow_yaml(flow);
    CHECK(compose["services"].size() == spec.pods.size() + 1);
  }
  const YAML::Node compose = YAML::LoadFile((dir.path() / "shop_Search-compose.yml").string());
  CHECK(compose["services"]["shop-search-gateway"]["depends_on"]["shop-search-encode"]["condition"]
            .as<std::string>() == "service_healthy");
  CHECK(compose["volumes"]["shop-search-vec-index-state-1"]);
  // The keys stay private beside the compose file.
  const auto perms =
      std::filesystem::status(dir.path() / "shop_Search-compose.d" / "keys" / "orchestrator.secret")
          .permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
}

TEST_CASE("export --systemd passes systemd-analyze verify with no warnings, and its flow parses",
          "[deploy][systemd]") {
  if (!on_path("systemd-analyze")) {
    WARN("skipped: systemd-analyze is not installed (scripts/setup.sh installs systemd)");
    return;
  }
  TempDir dir("systemd");
  const std::filesystem::path stateful = jflow::test::write_stateful_flow(dir);
  for (const std::string& flow : {jflow::test::hello_flow(), stateful.string()}) {
    const std::filesystem::path out = dir.path() / std::filesystem::path(flow).stem();
    const Outcome exported = run_jflow({"export", flow, "--systemd", out.string()});
    INFO(exported.output);
    REQUIRE(exported.exit_code == 0);
    std::string units;
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(out)) {
      if (entry.path().extension() == ".service")
        units += " '" + entry.path().string() + "'", ++count;
    }
    CHECK(count == jflow::load_flow_yaml(flow).pods.size() + 1);
    const auto [status, report] = jflow::test::run_shell("systemd-analyze verify" + units);
    INFO(report);
    CHECK(status == 0);
    CHECK(report.empty());
    // The units' flow names real key files and loopback daemons: jflow's own checks pass.
    const jflow::FlowSpec spec = jflow::load_flow_yaml(out / "flow" / "flow.yml");
    for (const jflow::PodSpec& pod : spec.pods) CHECK_THAT(pod.host, Contains("127.0.0.1:456"));
  }
}
