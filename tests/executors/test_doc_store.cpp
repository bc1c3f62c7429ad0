// DocStore: last add wins, whole documents (chunks, tags, embeddings) survive a close/open round
// trip through docs.jfd, and a corrupt file is a clear error naming it.
#include <fstream>

#include <catch2/catch.hpp>

#include "executors/doc_store.hpp"
#include "executors/executor_test_support.hpp"

using namespace jflow;
using namespace jflow::executors;

namespace {

Document rich_document(const std::string& id) {
  Document doc = test::text_doc(id, "text of " + id);
  doc.tags["year"] = std::int64_t{1611};
  doc.tags["book"] = std::string("Genesis");
  doc.embedding = NdArray::from_floats(std::vector<float>{0.5f, -1.5f}, {1, 2});
  Document chunk = test::text_doc(id + "/0", "chunk");
  chunk.tags["parent_id"] = id;
  doc.chunks.push_back(chunk);
  return doc;
}

}  // namespace

TEST_CASE("DocStore keeps the last document added under an id", "[executors]") {
  DocStore store(ExecutorMetas{});
  store.add(test::text_doc("a", "first"));
  store.add(test::text_doc("b", "other"));
  store.add(test::text_doc("a", "second"));
  CHECK(store.size() == 2);
  REQUIRE(store.get("a"));
  CHECK(store.get("a")->text == "second");
  CHECK_FALSE(store.get("missing"));
}

TEST_CASE("DocStore round-trips through docs.jfd", "[executors]") {
  test::TempDir workspace;
  const ExecutorMetas metas = test::metas_in(workspace.path(), "docs");
  {
    DocStore store(metas);
    store.open();  // nothing yet
    CHECK(store.size() == 0);
    store.add(rich_document("gen1"));
    store.add(rich_document("exo2"));
    store.close();
  }
  CHECK(std::filesystem::exists(workspace.path() / "docs-0" / "docs.jfd"));
  {
    DocStore store(metas);
    store.open();
    CHECK(store.size() == 2);
    CHECK(store.get("gen1") == rich_document("gen1"));
    CHECK(store.get("exo2") == rich_document("exo2"));
    // Adds after open replace or extend, and the next close keeps them all.
    store.add(test::text_doc("gen1", "replaced"));
    store.add(rich_document("lev3"));
    store.close();
  }
  DocStore store(metas);
  store.open();
  CHECK(store.size() == 3);
  CHECK(store.get("gen1")->text == "replaced");
  CHECK(store.get("lev3") == rich_document("lev3"));
}

TEST_CASE("DocStore refuses a corrupt docs.jfd naming the file", "[executors]") {
  test::TempDir workspace;
  const ExecutorMetas metas = test::metas_in(workspace.path(), "docs");
  {
    DocStore store(metas);
    store.add(rich_document("gen1"));
    store.close();
  }
  const auto file = workspace.path() / "docs-0" / "docs.jfd";
  const auto open_error = [&]() -> std::string {
    DocStore store(metas);
    try {
      store.open();
    } catch (const std::runtime_error& error) {
      return error.what();
    }
    return "no error";
  };
  const auto contains = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };

  SECTION("truncated body") {
    std::filesystem::resize_file(file, std::filesystem::file_size(file) - 5);
    const std::string error = open_error();
    CHECK(contains(error, file.string()));
    CHECK(contains(error, "corrupt"));
  }
  SECTION("truncated prefix") {
    std::filesystem::resize_file(file, 5);
    const std::string error = open_error();
    CHECK(contains(error, file.string()));
    CHECK(contains(error, "truncated"));
  }
  SECTION("bad magic") {
    std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
    stream.write("XX", 2);
    stream.close();
    const std::string error = open_error();
    CHECK(contains(error, file.string()));
    CHECK(contains(error, "bad magic"));
  }
  SECTION("garbage after the prefix") {
    std::ofstream stream(file, std::ios::binary | std::ios::trunc);
    stream.write("JFLOWDOC\x01\x00\x00\x00", 12);
    stream << "\xc1 not msgpack";
    stream.close();
    const std::string error = open_error();
    CHECK(contains(error, file.string()));
    CHECK(contains(error, "corrupt"));
  }
}
