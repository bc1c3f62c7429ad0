// bench_topk: exact top-k search over random float32 rows — VectorIndexer::query against a plain
// scalar loop (one query at a time, a dot product with a single accumulator, then a partial sort),
// in the same run, on the same data.
//
// The scalar loop is what one writes first; without -ffast-math GCC may not reassociate its float
// sum, so it stays one add at a time. VectorIndexer's kernel keeps 16 partial sums that GCC turns
// into SIMD code at -O2, and scans rows in blocks shared by all queries of a call. "GB/s scanned"
// counts queries x rows x dim x 4 bytes, i.e. the row data each query looks at, whether it came
// from memory or from cache. Both sides use the cosine metric on rows that are already unit
// length, so their scores differ only by float rounding; the last line says whether the top-k
// ids agree.
//
//   build/bench/bench_topk [--rows 100000] [--dim 128] [--queries 200] [--k 10] [--batch 32]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "executors/vector_indexer.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using jflow::NdArray;
using jflow::ScoredId;

struct Options {
  std::size_t rows = 100000;
  std::size_t dim = 128;
  std::size_t queries = 200;
  std::size_t k = 10;
  std::size_t batch = 32;  // queries per VectorIndexer::query call in the batched case
  std::size_t rounds = 3;  // each case runs this often; the median round is reported
  unsigned seed = 1;
};

std::vector<float> unit_rows(std::size_t rows, std::size_t dim, std::mt19937& generator) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(rows * dim);
  for (float& value : values) value = normal(generator);
  for (std::size_t r = 0; r < rows; ++r) {
    double norm = 0;
    for (std::size_t i = 0; i < dim; ++i) norm += values[r * dim + i] * values[r * dim + i];
    const double scale = 1.0 / std::sqrt(norm);
    for (std::size_t i = 0; i < dim; ++i) {
      values[r * dim + i] = static_cast<float>(values[r * dim + i] * scale);
    }
  }
  return values;
}

// The baseline: score every row with a one-accumulator loop, then keep the best k (ties by id).
std::vector<ScoredId> scalar_top_k(const std::vector<float>& rows,
                                   const std::vector<std::string>& ids, const float* query,
                                   std::size_t dim, std::size_t k) {
  const std::size_t count = ids.size();
  std::vector<float> scores(count);
  for (std::size_t r = 0; r < count; ++r) {
    float sum = 0;
    for (std::size_t i = 0; i < dim; ++i) sum += query[i] * rows[r * dim + i];
    scores[r] = sum;
  }
  std::vector<std::size_t> order(count);
  for (std::size_t r = 0; r < count; ++r) order[r] = r;
  const std::size_t kept = std::min(k, count);
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(kept), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return scores[a] != scores[b] ? scores[a] > scores[b] : ids[a] < ids[b];
                    });
  std::vector<ScoredId> best;
  for (std::size_t i = 0; i < kept; ++i) best.push_back({ids[order[i]], scores[order[i]]});
  return best;
}

struct Case {
  std::string name;
  double seconds = 0;  // the median round
  std::vector<std::vector<ScoredId>> results;
};

template <typename Run>
Case measure(const std::string& name, std::size_t rounds, Run run) {
  Case result{name, 0, {}};
  std::vector<double> times;
  for (std::size_t round = 0; round < rounds; ++round) {
    const auto start = Clock::now();
    result.results = run();
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::sort(times.begin(), times.end());
  result.seconds = times[times.size() / 2];
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App app{"exact top-k: VectorIndexer::query against a scalar loop"};
  app.add_option("--rows", options.rows, "stored rows");
  app.add_option("--dim", options.dim, "floats per row");
  app.add_option("--queries", options.queries, "queries per round");
  app.add_option("--k", options.k, "results per query");
  app.add_option("--batch", options.batch, "queries per call in the batched case")
      ->check(CLI::PositiveNumber);
  app.add_option("--rounds", options.rounds, "rounds per case (median reported)")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", options.seed, "random seed");
  CLI11_PARSE(app, argc, argv);

  std::mt19937 generator(options.seed);
  const std::vector<float> rows = unit_rows(options.rows, options.dim, generator);
  const std::vector<float> queries = unit_rows(options.queries, options.dim, generator);
  std::vector<std::string> ids;
  for (std::size_t r = 0; r < options.rows; ++r) ids.push_back("row-" + std::to_string(r));

  jflow::executors::VectorIndexer indexer(jflow::ExecutorMetas{}, jflow::executors::Metric::cosine);
  indexer.add(ids, NdArray::from_floats(rows, {options.rows, options.dim}));

  const auto query_rows = [&](std::size_t first, std::size_t count) {
    return NdArray::from_floats(
        std::span(queries).subspan(first * options.dim, count * options.dim), {count, options.dim});
  };
  const auto indexer_run = [&](std::size_t batch) {
    return [&, batch] {
      std::vector<std::vector<ScoredId>> all;
      for (std::size_t first = 0; first < options.queries; first += batch) {
        const std::size_t count = std::min(batch, options.queries - first);
        for (auto& result : indexer.query(query_rows(first, count), options.k)) {
          all.push_back(std::move(result));
        }
      }
      return all;
    };
  };

  std::vector<Case> cases;
  cases.push_back(measure("scalar loop", options.rounds, [&] {
    std::vector<std::vector<ScoredId>> all;
    for (std::size_t q = 0; q < options.queries; ++q) {
      all.push_back(
          scalar_top_k(rows, ids, queries.data() + q * options.dim, options.dim, options.k));
    }
    return all;
  }));
  cases.push_back(measure("VectorIndexer, 1 query/call", options.rounds, indexer_run(1)));
  cases.push_back(measure("VectorIndexer, " + std::to_string(options.batch) + " queries/call",
                          options.rounds, indexer_run(options.batch)));

  const double scanned_bytes =
      static_cast<double>(options.queries) * options.rows * options.dim * sizeof(float);
  std::printf("exact top-%zu over %zu x %zu float32 (%.1f MB), %zu queries, median of %zu rounds\n",
              options.k, options.rows, options.dim,
              static_cast<double>(options.rows * options.dim * sizeof(float)) / 1e6,
              options.queries, options.rounds);
  std::printf("%-32s %12s %12s %10s\n", "case", "queries/s", "GB/s", "vs scalar");
  for (const Case& result : cases) {
    std::printf("%-32s %12.1f %12.2f %9.2fx\n", result.name.c_str(),
                options.queries / result.seconds, scanned_bytes / result.seconds / 1e9,
                cases[0].seconds / result.seconds);
  }

  // Agreement: the same ids in the same order, and how far the scores drift from rounding.
  for (std::size_t c = 1; c < cases.size(); ++c) {
    std::size_t same = 0;
    double max_difference = 0;
    for (std::size_t q = 0; q < options.queries; ++q) {
      const auto& expected = cases[0].results[q];
      const auto& got = cases[c].results[q];
      bool ids_equal = expected.size() == got.size();
      for (std::size_t i = 0; ids_equal && i < got.size(); ++i) {
        ids_equal = expected[i].id == got[i].id;
        max_difference = std::max(max_difference,
                                  static_cast<double>(std::fabs(expected[i].score - got[i].score)));
      }
      same += ids_equal ? 1 : 0;
    }
    std::printf("%s agrees with the scalar loop on %zu/%zu queries (max score difference %.2e)\n",
                cases[c].name.c_str(), same, options.queries, max_difference);
  }
  return 0;
}
