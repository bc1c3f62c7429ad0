// VectorIndexer: exact top-k against a brute-force double-precision reference (both metrics,
// ties, k past the size), dim checks, and persistence: close/open round trips through the mapped
// vectors.jfv, adds after open, replacing an id's vector, and clear errors for truncated or
// corrupt files.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <catch2/catch.hpp>

#include "executors/executor_test_support.hpp"
#include "executors/vector_indexer.hpp"

using namespace jflow;
using jflow::executors::Metric;
using jflow::executors::metric_name;

namespace {

struct Reference {
  std::string id;
  double score;
};

// Scores every row in double precision and sorts best first, ties by id.
std::vector<Reference> brute_force(const std::vector<float>& rows,
                                   const std::vector<std::string>& ids, const float* query,
                                   std::size_t dim, Metric metric) {
  const auto norm = [dim](const float* v) {
    double sum = 0;
    for (std::size_t i = 0; i < dim; ++i) sum += static_cast<double>(v[i]) * v[i];
    return std::sqrt(sum);
  };
  std::vector<Reference> scores;
  for (std::size_t r = 0; r < ids.size(); ++r) {
    const float* row = rows.data() + r * dim;
    double score = 0;
    if (metric == Metric::cosine) {
      for (std::size_t i = 0; i < dim; ++i) score += static_cast<double>(query[i]) * row[i];
      const double norms = norm(query) * norm(row);
      score = norms == 0 ? 0 : score / norms;
    } else {
      for (std::size_t i = 0; i < dim; ++i) {
        const double difference = static_cast<double>(query[i]) - row[i];
        score -= difference * difference;
      }
    }
    scores.push_back({ids[r], score});
  }
  std::sort(scores.begin(), scores.end(), [](const Reference& a, const Reference& b) {
    return a.score != b.score ? a.score > b.score : a.id < b.id;
  });
  return scores;
}

// The result must be the reference's top-k: same length, each score equal to the reference's at
// that rank, and each id one whose reference score is that score (float rounding may swap two
// rows whose exact scores differ by less than the tolerance, nothing more).
void check_against_reference(const std::vector<ScoredId>& result,
                             const std::vector<Reference>& reference, std::size_t k) {
  REQUIRE(result.size() == std::min(k, reference.size()));
  for (std::size_t i = 0; i < result.size(); ++i) {
    INFO("rank " << i << ": got " << result[i].id << " " << result[i].score << ", expected "
                 << reference[i].id << " " << reference[i].score);
    CHECK(result[i].score == Approx(reference[i].score).margin(1e-4));
    const auto same_id = std::find_if(reference.begin(), reference.end(),
                                      [&](const Reference& r) { return r.id == result[i].id; });
    REQUIRE(same_id != reference.end());
    CHECK(same_id->score == Approx(reference[i].score).margin(1e-5));
    if (i > 0) CHECK(result[i - 1].score >= result[i].score);
  }
}

std::vector<std::string> make_ids(std::size_t count, const std::string& prefix) {
  std::vector<std::string> ids;
  // Not in sorted order, so id ties cannot pass by insertion order alone.
  for (std::size_t i = 0; i < count; ++i)
    ids.push_back(prefix + std::to_string((i * 7919) % count));
  return ids;
}

}  // namespace

TEST_CASE("VectorIndexer top-k equals a brute-force reference", "[executors]") {
  const Metric metric = GENERATE(Metric::cosine, Metric::l2);
  const std::size_t dim = GENERATE(std::size_t{37}, std::size_t{64});  // with and without a tail
  INFO("metric " << metric_name(metric) << ", dim " << dim);
  constexpr std::size_t kRows = 700;
  const std::vector<float> rows = test::random_floats(kRows, dim, 42);
  const std::vector<std::string> ids = make_ids(kRows, "row-");

  executors::VectorIndexer indexer(ExecutorMetas{}, metric);
  // Two adds: the index appends.
  const std::size_t first = 300;
  indexer.add(std::span(ids).first(first),
              test::matrix({rows.begin(), rows.begin() + first * dim}, dim));
  indexer.add(std::span(ids).subspan(first),
              test::matrix({rows.begin() + first * dim, rows.end()}, dim));
  CHECK(indexer.size() == kRows);
  CHECK(indexer.dim() == dim);

  const std::vector<float> queries = test::random_floats(5, dim, 7);
  for (std::size_t k : {std::size_t{1}, std::size_t{10}, std::size_t{123}, kRows + 50}) {
    const auto results = indexer.query(test::matrix(queries, dim), k);
    REQUIRE(results.size() == 5);
    for (std::size_t q = 0; q < 5; ++q) {
      INFO("k " << k << ", query " << q);
      check_against_reference(results[q],
                              brute_force(rows, ids, queries.data() + q * dim, dim, metric), k);
    }
  }
}

TEST_CASE("VectorIndexer breaks score ties by id", "[executors]") {
  const Metric metric = GENERATE(Metric::cosine, Metric::l2);
  executors::VectorIndexer indexer(ExecutorMetas{}, metric);
  // Five identical rows under scrambled ids, and two unrelated rows.
  const std::vector<float> same = {1, 2, 3, 4};
  std::vector<float> rows;
  for (int i = 0; i < 5; ++i) rows.insert(rows.end(), same.begin(), same.end());
  rows.insert(rows.end(), {-4, 3, -2, 1, 0, -1, 0, 1});
  const std::vector<std::string> ids = {"e", "b", "d", "a", "c", "y", "x"};
  indexer.add(ids, test::matrix(rows, 4));

  const auto top3 = indexer.query(test::matrix(same, 4), 3);
  REQUIRE(top3.size() == 1);
  REQUIRE(top3[0].size() == 3);
  CHECK(top3[0][0].id == "a");
  CHECK(top3[0][1].id == "b");
  CHECK(top3[0][2].id == "c");
  CHECK(top3[0][0].score == top3[0][2].score);
  CHECK(top3[0][0].score == Approx(metric == Metric::cosine ? 1.0 : 0.0).margin(1e-6));

  // k past the size returns everything, still ordered.
  const auto all = indexer.query(test::matrix(same, 4), 100);
  REQUIRE(all[0].size() == 7);
  std::vector<std::string> order;
  for (const ScoredId& hit : all[0]) order.push_back(hit.id);
  CHECK(std::vector<std::string>(order.begin(), order.begin() + 5) ==
        std::vector<std::string>{"a", "b", "c", "d", "e"});
}

TEST_CASE("VectorIndexer edge cases: empty index, k 0, dim mismatch, bad shapes", "[executors]") {
  executors::VectorIndexer indexer(ExecutorMetas{}, Metric::cosine);
  const std::vector<float> query = {1, 0, 0};
  // An empty index answers every query with an empty list.
  const auto empty = indexer.query(test::matrix(query, 3), 5);
  REQUIRE(empty.size() == 1);
  CHECK(empty[0].empty());

  const std::vector<std::string> ids = {"a", "b"};
  indexer.add(ids, test::matrix({1, 0, 0, 0, 1, 0}, 3));
  CHECK(indexer.query(test::matrix(query, 3), 0)[0].empty());

  const std::vector<std::string> one = {"c"};
  try {
    indexer.add(one, test::matrix({1, 2, 3, 4}, 4));
    FAIL("a dim mismatch must throw");
  } catch (const std::invalid_argument& error) {
    const std::string message = error.what();
    CHECK(message.find("dim 4") != std::string::npos);
    CHECK(message.find("dim 3") != std::string::npos);
  }
  CHECK_THROWS_AS(indexer.query(test::matrix({1, 2}, 2), 1), std::invalid_argument);
  CHECK_THROWS_AS(indexer.add(ids, test::matrix({1, 2, 3}, 3)), std::invalid_argument);
  CHECK_THROWS_AS(indexer.add(one, test::matrix({1, NAN, 3}, 3)), std::invalid_argument);
  CHECK_THROWS_AS(indexer.add(one, NdArray::from_floats(std::vector<float>{1, 2, 3})),
                  std::invalid_argument);
  CHECK(indexer.size() == 2);
}

TEST_CASE("VectorIndexer persists to vectors.jfv and queries the mapped file", "[executors]") {
  const Metric metric = GENERATE(Metric::cosine, Metric::l2);
  test::TempDir workspace;
  const ExecutorMetas metas = test::metas_in(workspace.path(), "vectors");
  constexpr std::size_t kDim = 24;
  const std::vector<float> rows = test::random_floats(200, kDim, 3);
  const std::vector<std::string> ids = make_ids(200, "v");
  const std::vector<float> more = test::random_floats(50, kDim, 4);
  const std::vector<std::string> more_ids = make_ids(50, "w");
  const NdArray queries = test::matrix(test::random_floats(4, kDim, 5), kDim);

  // A reference that never touches the disk, holding everything.
  executors::VectorIndexer in_memory(ExecutorMetas{}, metric);
  in_memory.add(ids, test::matrix(rows, kDim));

  {
    executors::VectorIndexer writer(metas, metric);
    writer.open();  // no file yet: starts empty
    CHECK(writer.size() == 0);
    writer.add(ids, test::matrix(rows, kDim));
    writer.close();
  }
  const auto file = workspace.path() / "vectors-0" / "vectors.jfv";
  REQUIRE(std::filesystem::exists(file));
  CHECK(std::filesystem::file_size(file) == 64 + 200 * kDim * 4 + 200 * 4 + [&] {
    std::size_t bytes = 0;
    for (const std::string& id : ids) bytes += id.size();
    return bytes;
  }());
  // Only the file itself: the temporary file was renamed, not left behind.
  CHECK(std::distance(std::filesystem::directory_iterator(file.parent_path()),
                      std::filesystem::directory_iterator()) == 1);

  {
    executors::VectorIndexer reader(metas, metric);
    reader.open();
    CHECK(reader.size() == 200);
    CHECK(reader.dim() == kDim);
    CHECK(reader.query(queries, 15) == in_memory.query(queries, 15));
    // Adds after open go to the tail and are searched with the mapped rows.
    reader.add(more_ids, test::matrix(more, kDim));
    in_memory.add(more_ids, test::matrix(more, kDim));
    CHECK(reader.size() == 250);
    CHECK(reader.query(queries, 300) == in_memory.query(queries, 300));
    CHECK_THROWS_AS(reader.add(more_ids, test::matrix(test::random_floats(50, 8, 1), 8)),
                    std::invalid_argument);
    reader.close();  // rewrites mapped rows + tail
  }
  executors::VectorIndexer again(metas, metric);
  again.open();
  CHECK(again.size() == 250);
  CHECK(again.query(queries, 40) == in_memory.query(queries, 40));
}

TEST_CASE("VectorIndexer refuses a truncated, corrupt or other-metric vectors.jfv", "[executors]") {
  test::TempDir workspace;
  const ExecutorMetas metas = test::metas_in(workspace.path(), "vectors");
  const std::vector<std::string> ids = {"a", "b", "c"};
  {
    executors::VectorIndexer writer(metas, Metric::cosine);
    writer.add(ids, test::matrix(test::random_floats(3, 8, 1), 8));
    writer.close();
  }
  const auto file = workspace.path() / "vectors-0" / "vectors.jfv";
  const auto size = std::filesystem::file_size(file);

  const auto open_error = [&](Metric metric) -> std::string {
    executors::VectorIndexer reader(metas, metric);
    try {
      reader.open();
    } catch (const std::runtime_error& error) {
      return error.what();
    }
    return "no error";
  };
  const auto contains = [](const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
  };

  SECTION("another metric") {
    const std::string error = open_error(Metric::l2);
    CHECK(contains(error, file.string()));
    CHECK(contains(error, "metric cosine"));
  }
  SECTION("truncated inside the rows") {
    std::filesystem::resize_file(file, size - 30);
    const std::string error = open_error(Metric::cosine);
    CHECK(contains(error, file.string()));
    CHECK(contains(error, "truncated"));
  }
  SECTION("truncated inside the header") {
    std::filesystem::resize_file(file, 20);
    const std::string error = open_error(Metric::cosine);
    CHECK(contains(error, file.string()));
    CHECK(contains(error, "truncated"));
  }
  SECTION("empty file") {
    std::filesystem::resize_file(file, 0);
    CHECK(contains(open_error(Metric::cosine), "truncated"));
  }
  SECTION("bad magic") {
    std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
    stream.write("NOTJFLOW", 8);
    stream.close();
    const std::string error = open_error(Metric::cosine);
    CHECK(contains(error, file.string()));
    CHECK(contains(error, "bad magic"));
  }
  SECTION("an id length pointing past the end") {
    // The first id's u32 length sits right after the 3 x 8 floats.
    std::fstream stream(file, std::ios::in | std::ios::out | std::ios::binary);
    stream.seekp(64 + 3 * 8 * 4);
    const std::uint32_t huge = 1000;
    stream.write(reinterpret_cast<const char*>(&huge), sizeof huge);
    stream.close();
    const std::string error = open_error(Metric::cosine);
    CHECK(contains(error, file.string()));
    CHECK(contains(error, "ids section ends inside id 0"));
  }
  SECTION("trailing bytes") {
    std::ofstream(file, std::ios::app | std::ios::binary) << "xyz";
    CHECK(contains(open_error(Metric::cosine), "3 unexpected trailing bytes"));
  }
}

TEST_CASE("VectorIndexer: adding an id again replaces its vector, in memory and over a mapped file",
          "[executors]") {
  const Metric metric = GENERATE(Metric::cosine, Metric::l2);
  constexpr std::size_t kDim = 16;
  const std::vector<float> first = test::random_floats(100, kDim, 7);
  const std::vector<std::string> ids = make_ids(100, "v");
  // New vectors for 30 of those ids.
  const std::vector<float> second = test::random_floats(30, kDim, 8);
  const std::vector<std::string> second_ids(ids.begin() + 10, ids.begin() + 40);
  const NdArray queries = test::matrix(test::random_floats(5, kDim, 9), kDim);

  // What the index must hold afterwards: each id once, with its latest vector.
  std::vector<float> latest = first;
  std::copy(second.begin(), second.end(), latest.begin() + 10 * kDim);
  executors::VectorIndexer expected(ExecutorMetas{}, metric);
  expected.add(ids, test::matrix(latest, kDim));

  SECTION("in memory") {
    executors::VectorIndexer index(ExecutorMetas{}, metric);
    index.add(ids, test::matrix(first, kDim));
    index.add(second_ids, test::matrix(second, kDim));
    CHECK(index.size() == 100);
    CHECK(index.query(queries, 120) == expected.query(queries, 120));
  }
  SECTION("the same id twice in one add: the later row wins") {
    executors::VectorIndexer index(ExecutorMetas{}, metric);
    std::vector<float> twice(first.begin(), first.begin() + 2 * kDim);
    index.add(std::vector<std::string>{"x", "x"}, test::matrix(twice, kDim));
    CHECK(index.size() == 1);
    executors::VectorIndexer later(ExecutorMetas{}, metric);
    later.add(
        std::vector<std::string>{"x"},
        test::matrix(std::vector<float>(first.begin() + kDim, first.begin() + 2 * kDim), kDim));
    CHECK(index.query(queries, 3) == later.query(queries, 3));
  }
  SECTION("rows without an id are each kept") {
    executors::VectorIndexer index(ExecutorMetas{}, metric);
    std::vector<float> two(first.begin(), first.begin() + 2 * kDim);
    index.add(std::vector<std::string>{"", ""}, test::matrix(two, kDim));
    index.add(std::vector<std::string>{""}, test::matrix(std::vector<float>(kDim, 1.0f), kDim));
    CHECK(index.size() == 3);
    CHECK(index.query(queries, 10).at(0).size() == 3);
  }
  SECTION("over a mapped file, then across close and open") {
    test::TempDir workspace("vectors");
    const ExecutorMetas metas = test::metas_in(workspace.path(), "vectors");
    {
      executors::VectorIndexer writer(metas, metric);
      writer.open();
      writer.add(ids, test::matrix(first, kDim));
      writer.close();
    }
    {
      executors::VectorIndexer reader(metas, metric);
      reader.open();
      reader.add(second_ids, test::matrix(second, kDim));  // replaces mapped rows
      CHECK(reader.size() == 100);
      CHECK(reader.query(queries, 120) == expected.query(queries, 120));
      reader.add(second_ids, test::matrix(second, kDim));  // replaces the tail rows in place
      CHECK(reader.size() == 100);
      CHECK(reader.query(queries, 120) == expected.query(queries, 120));
      reader.close();  // writes the 100 live rows only
    }
    const auto file = workspace.path() / "vectors-0" / "vectors.jfv";
    std::size_t id_bytes = 0;
    for (const std::string& id : ids) id_bytes += id.size();
    CHECK(std::filesystem::file_size(file) == 64 + 100 * kDim * 4 + 100 * 4 + id_bytes);
    executors::VectorIndexer again(metas, metric);
    again.open();
    CHECK(again.size() == 100);
    CHECK(again.query(queries, 120) == expected.query(queries, 120));
  }
}
