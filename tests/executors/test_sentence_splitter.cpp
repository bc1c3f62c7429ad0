// SentenceSplitter: chunk ids "<parent>/<n>", parent_id/offset tags, sentence and word units,
// min_length, and re-crafting replacing old chunks.
#include <catch2/catch.hpp>

#include "executors/executor_test_support.hpp"
#include "executors/sentence_splitter.hpp"

using namespace jflow;
using namespace jflow::executors;

TEST_CASE("SentenceSplitter splits sentences and names chunks <parent>/<n>", "[executors]") {
  SentenceSplitter splitter(ExecutorMetas{}, SplitUnit::sentence, 1);
  Document doc =
      test::text_doc("gen1", "In the beginning.  God created! Was it good?\nYes; it was");
  splitter.craft(doc);
  REQUIRE(doc.chunks.size() == 5);
  const std::vector<std::string> texts = {"In the beginning.", "God created!", "Was it good?",
                                          "Yes;", "it was"};
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const Document& chunk = doc.chunks[i];
    CHECK(chunk.id == "gen1/" + std::to_string(i));
    CHECK(chunk.text == texts[i]);
    CHECK(chunk.tags.at("parent_id") == Value(std::string("gen1")));
    CHECK(chunk.tags.at("offset") == Value(static_cast<std::int64_t>(i)));
  }
}

TEST_CASE("SentenceSplitter min_length drops short pieces and numbers the kept ones densely",
          "[executors]") {
  SentenceSplitter splitter(ExecutorMetas{}, SplitUnit::sentence, 6);
  Document doc = test::text_doc("d", "Ok. A longer one. No! Another long one.");
  splitter.craft(doc);
  REQUIRE(doc.chunks.size() == 2);
  CHECK(doc.chunks[0].id == "d/0");
  CHECK(doc.chunks[0].text == "A longer one.");
  CHECK(doc.chunks[1].id == "d/1");
  CHECK(doc.chunks[1].text == "Another long one.");
  CHECK(doc.chunks[1].tags.at("offset") == Value(std::int64_t{1}));
}

TEST_CASE("SentenceSplitter word unit splits on whitespace and punctuation", "[executors]") {
  SentenceSplitter splitter(ExecutorMetas{}, SplitUnit::word, 2);
  Document doc = test::text_doc("w", "Hello, wörld!  a-b\tcd");
  splitter.craft(doc);
  std::vector<std::string> texts;
  for (const Document& chunk : doc.chunks) texts.push_back(chunk.text);
  // "a" and "b" are shorter than 2; the UTF-8 'ö' stays inside its word.
  CHECK(texts == std::vector<std::string>{"Hello", "wörld", "cd"});
  CHECK(doc.chunks[2].id == "w/2");
}

TEST_CASE("SentenceSplitter replaces existing chunks and handles empty text", "[executors]") {
  SentenceSplitter splitter(ExecutorMetas{}, SplitUnit::sentence, 1);
  Document doc = test::text_doc("x", "One. Two.");
  splitter.craft(doc);
  splitter.craft(doc);
  CHECK(doc.chunks.size() == 2);
  doc.text = "  \n\n ";
  splitter.craft(doc);
  CHECK(doc.chunks.empty());
}
