// Text search with the built-in executors over real pods: an index built by one flow is searched
// by the next (persistence through the workspace), a sharded index answers like an unsharded one,
// and the hello-world flow finds an indexed verse when queried with it verbatim.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "jflow/flow.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

using namespace jflow;

using jflow::test::TempDir;

namespace {

void index_all(Flow& flow, const std::vector<Document>& docs, std::size_t request_size = 50) {
  for (std::size_t i = 0; i < docs.size(); i += request_size) {
    Request request;
    request.type = RequestType::index;
    for (std::size_t j = i; j < std::min(docs.size(), i + request_size); ++j) {
      request.docs.push_back(docs[j]);
    }
    const Response response = flow.call(std::move(request));
    REQUIRE(response.ok());
  }
}

struct Hit {
  std::string id;
  double score = 0;
  std::string text;
  bool operator==(const Hit&) const = default;
};
using Hits = std::vector<std::vector<Hit>>;  // per query, best first

Hits search(Flow& flow, const std::vector<Document>& queries, std::int64_t top_k) {
  Request request;
  request.type = RequestType::search;
  request.parameters["top_k"] = top_k;
  for (const Document& query : queries) {
    Document doc;
    doc.text = query.text;
    request.docs.push_back(std::move(doc));
  }
  const Response response = flow.call(std::move(request));
  REQUIRE(response.ok());
  Hits results;
  for (const Document& doc : response.request.docs) {
    auto& list = results.emplace_back();
    for (const Document& match : doc.matches) list.push_back({match.id, match.score, match.text});
  }
  return results;
}

std::string search_flow(const std::string& workspace, std::size_t shards) {
  std::string yaml = "version: 1\ntransport: ipc\n";
  if (!workspace.empty()) yaml += "workspace: " + workspace + "\n";
  yaml +=
      "pods:\n"
      "  - name: split\n    uses: SentenceSplitter\n"
      "  - name: encode\n    uses: FeatureHashEncoder\n"
      "  - name: index\n    uses: VectorIndexer\n";
  if (shards > 1) {
    yaml += "    parallel: " + std::to_string(shards) +
            "\n    polling: all\n"
            "    uses_after: '- !MergeMatchesDriver {level: chunks, top_k: 50}'\n";
  }
  yaml +=
      "  - name: rank\n    uses: ChunkRanker\n"
      "  - name: docs\n    uses: DocStore\n";
  return yaml;
}

}  // namespace

TEST_CASE("an index built by one flow is searched by the next", "[executors][flow][persistence]") {
  TempDir dir("search");
  const std::vector<Document> docs = test::hello_verses(300);
  const std::vector<Document> queries(docs.begin() + 10, docs.begin() + 20);
  Hits before;
  {
    Flow flow(parse_flow_yaml(search_flow(dir.path().string(), 2), "persist.yml", test::no_env),
              test::test_options());
    flow.start();
    index_all(flow, docs);
    before = search(flow, queries, 5);
    flow.close();  // executors persist their state here
  }
  CHECK(std::filesystem::exists(dir.path() / "index-0"));
  CHECK(std::filesystem::exists(dir.path() / "index-1"));
  CHECK(std::filesystem::exists(dir.path() / "docs-0"));
  Flow again(parse_flow_yaml(search_flow(dir.path().string(), 2), "persist.yml", test::no_env),
             test::test_options());
  again.start();
  const auto after = search(again, queries, 5);
  again.close();
  CHECK(after == before);
  for (std::size_t i = 0; i < queries.size(); ++i) {
    REQUIRE_FALSE(after[i].empty());
    // The verse itself comes first (the psalms repeat some verses word for word: compare text).
    CHECK(after[i].front().text == queries[i].text);
  }
}

TEST_CASE("a sharded index answers like an unsharded one", "[executors][flow][shards]") {
  const std::vector<Document> docs = test::hello_verses(400);
  std::vector<Document> queries;
  for (std::size_t i = 0; i < docs.size(); i += 37) queries.push_back(docs[i]);
  Document paraphrase;
  paraphrase.text = "the lord is my shepherd and my salvation";
  queries.push_back(paraphrase);
  std::vector<Hits> answers;
  for (std::size_t shards : {1, 3}) {
    Flow flow(parse_flow_yaml(search_flow("", shards), "shards.yml", test::no_env),
              test::test_options());
    flow.start();
    index_all(flow, docs);
    answers.push_back(search(flow, queries, 5));
    flow.close();
  }
  REQUIRE(answers[0].size() == queries.size());
  for (std::size_t q = 0; q < queries.size(); ++q) {
    REQUIRE(answers[0][q].size() == answers[1][q].size());
    for (std::size_t m = 0; m < answers[0][q].size(); ++m) {
      CHECK(answers[0][q][m].id == answers[1][q][m].id);
      CHECK(answers[0][q][m].score == Approx(answers[1][q][m].score).epsilon(1e-5));
    }
  }
}

TEST_CASE("the hello-world flow finds a verse queried verbatim first", "[executors][flow][hello]") {
  FlowSpec spec = load_flow_yaml(test::source_path("flows/hello.yml"));
  Flow flow(std::move(spec), test::test_options());
  flow.start();
  const std::vector<Document> docs = test::hello_verses(1000);
  index_all(flow, docs, 64);
  std::vector<Document> queries;
  for (std::size_t i = 0; i < docs.size(); i += 97) queries.push_back(docs[i]);
  const auto results = search(flow, queries, 3);
  flow.close();
  for (std::size_t i = 0; i < queries.size(); ++i) {
    INFO(queries[i].id << ": " << queries[i].text);
    REQUIRE_FALSE(results[i].empty());
    CHECK(results[i].front().text == queries[i].text);
  }
}
