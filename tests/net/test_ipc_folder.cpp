// ipc sockets live in a private folder per process, and the folders of killed processes do not
// pile up in $TMPDIR (issue 16, Found 9): a flow killed with SIGKILL cannot clean up, so the next
// jflow process removes what processes that no longer exist left behind.
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "support/jflow_child.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

using Catch::Matchers::Contains;
using jflow::test::JflowChild;
using jflow::test::TempDir;
using namespace std::chrono_literals;

namespace {

constexpr const char* kIpcFlow =
    "version: 1\ntransport: ipc\nwith: {runtime: process}\npods:\n"
    "  - {name: a, uses: _pass}\n  - {name: b, uses: _pass}\n";

// Gone, or a zombie nobody has reaped yet (it holds no folder either way).
bool gone(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const std::size_t end = text.rfind(')');
  return !jflow::test::process_exists(pid) || end == std::string::npos ||
         text.substr(end + 2, 1) == "Z";
}

std::set<std::string> entries(const std::filesystem::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    names.insert(entry.path().filename().string());
  return names;
}

}  // namespace

TEST_CASE("ipc: a killed flow's socket folders are removed by the next run", "[net][ipc]") {
  TempDir dir("ipc-leftovers");
  const auto flow = dir.write("flow.yml", kIpcFlow);
  const std::filesystem::path tmp = dir.path() / "tmp";
  std::filesystem::create_directory(tmp);
  const std::string tmpdir = "TMPDIR=" + tmp.string();
  {
    JflowChild killed({"run", "--input", "-", flow.string()}, {tmpdir});
    killed.write("hello\n");
    REQUIRE(killed.wait_for("| hello", 30s));
    const std::vector<int> peas = {killed.pea_pid("a"), killed.pea_pid("b")};
    REQUIRE(peas[0] > 0);
    REQUIRE(peas[1] > 0);
    ::kill(killed.pid(), SIGKILL);
    killed.finish();
    // The peas die with their parent (PR_SET_PDEATHSIG); wait until they are gone.
    const auto give_up = std::chrono::steady_clock::now() + 20s;
    for (int pid : peas) {
      while (!gone(pid) && std::chrono::steady_clock::now() < give_up) ::poll(nullptr, 0, 10);
      REQUIRE(gone(pid));
    }
  }
  // SIGKILL leaves the folders (nothing can remove them at that moment): the orchestrator's and
  // one per process pea ...
  const std::set<std::string> left = entries(tmp);
  REQUIRE(left.size() == 3);
  for (const std::string& name : left) CHECK_THAT(name, Contains("jflow-ipc-"));
  // ... and the next run removes them, then its own at its end.
  JflowChild next({"run", "--input", "-", flow.string()}, {tmpdir});
  next.write("again\n");
  REQUIRE(next.wait_for("| again", 30s));
  for (const std::string& name : entries(tmp)) CHECK(left.count(name) == 0);
  CHECK(next.finish() == 0);
  CHECK(entries(tmp).empty());
}
