// Two flows sharing a workspace: the second to open a replica's folder fails its start with a
// clear error while the first has it, instead of both running and the last close silently
// replacing the other's state (issue 16, found 5: run A's 500 documents were lost).
#include <catch2/catch.hpp>

#include "jflow/flow.hpp"
#include "jflow/flow_spec.hpp"
#include "pea/workspace_lock.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

using namespace jflow;

namespace {

FlowSpec doc_store_flow(const std::filesystem::path& workspace) {
  return FlowBuilder()
      .transport(Transport::inproc)
      .workspace(workspace)
      .add("docs", "DocStore")
      .build();
}

}  // namespace

TEST_CASE("WorkspaceLock: a second lock on the same folder is refused until the first is gone",
          "[workspace]") {
  test::TempDir dir("workspace-lock");
  const auto folder = dir.path() / "docs-0";
  std::optional<WorkspaceLock> first(std::in_place, folder);
  try {
    WorkspaceLock second(folder);
    FAIL("locked twice");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains(folder.string() + " is in use by another pea (process " +
                                         std::to_string(::getpid()) + ")"));
  }
  first.reset();
  CHECK_NOTHROW(WorkspaceLock(folder));
}

TEST_CASE("a second flow on a workspace in use fails its start naming the workspace",
          "[workspace][flow]") {
  test::TempDir dir("workspace-shared");
  Flow first(doc_store_flow(dir.path()), test::test_options());
  first.start();
  {
    Flow second(doc_store_flow(dir.path()), test::test_options());
    try {
      second.start();
      FAIL("two flows opened one workspace");
    } catch (const FlowError& e) {
      CHECK_THAT(e.what(), Catch::Contains("is in use by another pea"));
      CHECK_THAT(e.what(), Catch::Contains((dir.path() / "docs-0").string()));
    }
  }
  first.close();
  Flow third(doc_store_flow(dir.path()), test::test_options());
  CHECK_NOTHROW(third.start());
}
