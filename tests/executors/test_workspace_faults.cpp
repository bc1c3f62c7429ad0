// Workspace files that are damaged or merely read (issue 16, found 7): a NaN in vectors.jfv is
// refused at open instead of becoming every query's best match, and an executor that loaded its
// state and changed nothing does not rewrite it at close (a search-only run leaves the files as
// they were, and works on a read-only workspace).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "executors/doc_store.hpp"
#include "executors/vector_file.hpp"
#include "executors/vector_indexer.hpp"
#include "support/temp_dir.hpp"

using namespace jflow;
using jflow::executors::Metric;

namespace {

ino_t workspace_inode_of(const std::filesystem::path& file) {
  struct stat info {};
  REQUIRE(::stat(file.c_str(), &info) == 0);
  return info.st_ino;
}

ExecutorMetas workspace_metas_in(const std::filesystem::path& workspace, const std::string& name) {
  ExecutorMetas metas;
  metas.name = name;
  metas.workspace = workspace;
  return metas;
}

}  // namespace

TEST_CASE("a vectors.jfv with a NaN is refused at open, naming the row and id", "[executors]") {
  test::TempDir dir("nan-vectors");
  std::filesystem::create_directories(dir.path() / "vec-0");
  const float rows[] = {1, 0, std::numeric_limits<float>::quiet_NaN(), 1};
  const std::string ids[] = {"good", "bad"};
  const executors::RowSegment segment{rows, 2};
  const auto file = dir.path() / "vec-0" / "vectors.jfv";
  executors::write_vector_file(file, Metric::l2, 2, {&segment, 1}, ids);
  CHECK_THROWS_WITH(executors::read_vector_file(file),
                    Catch::Contains("row 1 (id 'bad') has a non-finite value at column 0"));
  executors::VectorIndexer indexer(workspace_metas_in(dir.path(), "vec"), Metric::l2);
  CHECK_THROWS_WITH(indexer.open(), Catch::Contains("non-finite"));
}

TEST_CASE("VectorIndexer and DocStore do not rewrite state they loaded and did not change",
          "[executors]") {
  test::TempDir dir("unchanged");
  {
    executors::VectorIndexer indexer(workspace_metas_in(dir.path(), "vec"), Metric::l2);
    indexer.open();
    const float values[] = {1, 2};
    const std::string ids[] = {"a"};
    indexer.add(ids, NdArray::from_floats(values, {1, 2}));
    indexer.close();
    executors::DocStore store(workspace_metas_in(dir.path(), "docs"));
    store.open();
    store.add(Document{"a", "text", "", {}, {}, {}, {}, {}, 0.0});
    store.close();
  }
  const auto vectors = dir.path() / "vec-0" / "vectors.jfv";
  const auto docs = dir.path() / "docs-0" / "docs.jfd";
  const ino_t vectors_before = workspace_inode_of(vectors);
  const ino_t docs_before = workspace_inode_of(docs);
  {
    executors::VectorIndexer indexer(workspace_metas_in(dir.path(), "vec"), Metric::l2);
    indexer.open();
    const float query[] = {1, 2};
    CHECK(indexer.query(NdArray::from_floats(query, {1, 2}), 1).at(0).at(0).id == "a");
    indexer.close();
    executors::DocStore store(workspace_metas_in(dir.path(), "docs"));
    store.open();
    CHECK(store.get("a").has_value());
    store.close();
  }
  // An atomic rewrite renames a new file into place: a new inode.
  CHECK(workspace_inode_of(vectors) == vectors_before);
  CHECK(workspace_inode_of(docs) == docs_before);
}

TEST_CASE("vectors.jfv truncated under an open VectorIndexer: queries still answer, no SIGBUS",
          "[executors]") {
  test::TempDir dir("truncated-under");
  {
    executors::VectorIndexer indexer(workspace_metas_in(dir.path(), "vec"), Metric::l2);
    indexer.open();
    std::vector<float> values(2 * 4096);  // several pages of rows
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < 4096; ++i) {
      values[2 * i] = static_cast<float>(i);
      values[2 * i + 1] = 1;
      ids.push_back("row" + std::to_string(i));
    }
    indexer.add(ids, NdArray::from_floats(values, {4096, 2}));
    indexer.close();
  }
  const auto vectors = dir.path() / "vec-0" / "vectors.jfv";
  executors::VectorIndexer indexer(workspace_metas_in(dir.path(), "vec"), Metric::l2);
  indexer.open();
  std::filesystem::resize_file(vectors, 64);  // the header only: every row gone from the disk
  // The query runs in a child, so that a SIGBUS (what a mapping of the file gave) fails this test
  // instead of ending the test run.
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const float query[] = {4095, 1};
    const auto found = indexer.query(NdArray::from_floats(query, {1, 2}), 1);
    ::_exit(found.at(0).at(0).id == "row4095" ? 0 : 1);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  INFO("the query's child " << (WIFSIGNALED(status) ? "died of signal " : "exited ")
                            << (WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status)));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a deleted shard folder, or one past parallel, fails open instead of starting empty",
          "[executors]") {
  test::TempDir dir("shards");
  const auto shard_metas = [&](std::size_t replica, std::size_t parallel) {
    ExecutorMetas metas = workspace_metas_in(dir.path(), "vec");
    metas.replica_id = replica;
    metas.parallel = parallel;
    return metas;
  };
  {
    // Both shards open before either saves, as the peas of one flow do.
    std::vector<std::unique_ptr<executors::VectorIndexer>> shards;
    for (std::size_t replica = 0; replica < 2; ++replica) {
      shards.push_back(
          std::make_unique<executors::VectorIndexer>(shard_metas(replica, 2), Metric::l2));
      shards.back()->open();
    }
    for (std::size_t replica = 0; replica < 2; ++replica) {
      const float values[] = {1, 2};
      const std::string ids[] = {"doc" + std::to_string(replica)};
      shards[replica]->add(ids, NdArray::from_floats(values, {1, 2}));
      shards[replica]->close();
    }
  }
  SECTION("a missing shard") {
    std::filesystem::remove_all(dir.path() / "vec-1");
    executors::VectorIndexer second(shard_metas(1, 2), Metric::l2);
    CHECK_THROWS_WITH(second.open(), Catch::Contains("vec-1/vectors.jfv is missing, but shard 0 "
                                                     "of 2 has") &&
                                         Catch::Contains("a shard's folder was deleted or moved"));
    executors::VectorIndexer first(shard_metas(0, 2), Metric::l2);
    CHECK_NOTHROW(first.open());
  }
  SECTION("fewer shards than were saved") {
    executors::VectorIndexer alone(shard_metas(0, 1), Metric::l2);
    CHECK_THROWS_WITH(alone.open(), Catch::Contains("vec-1/vectors.jfv: saved by shard 1, but "
                                                    "the pod has 1 (parallel)"));
  }
  SECTION("the same shards open") {
    for (std::size_t replica = 0; replica < 2; ++replica) {
      executors::VectorIndexer indexer(shard_metas(replica, 2), Metric::l2);
      CHECK_NOTHROW(indexer.open());
    }
  }
}
