// Helpers for the executor tests: a fresh temporary workspace per test, removed at the end, and
// small constructors for documents and float matrices.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "jflow/executor.hpp"

namespace jflow::test {

// A directory under the system temp dir with a name unique to this process and test; removed
// (with everything in it) on destruction.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device entropy;
    path_ = std::filesystem::temp_directory_path() /
            ("jflow-executors-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
             "-" + std::to_string(entropy()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline ExecutorMetas metas_in(const std::filesystem::path& workspace,
                              const std::string& name = "pod") {
  ExecutorMetas metas;
  metas.name = name;
  metas.workspace = workspace;
  return metas;
}

inline Document text_doc(const std::string& id, const std::string& text) {
  Document doc;
  doc.id = id;
  doc.text = text;
  return doc;
}

inline Document scored(const std::string& id, double score) {
  Document doc;
  doc.id = id;
  doc.score = score;
  return doc;
}

// rows x dim floats, uniform in [-1, 1), from a fixed seed.
inline std::vector<float> random_floats(std::size_t rows, std::size_t dim, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(rows * dim);
  for (float& value : values) value = uniform(generator);
  return values;
}

inline NdArray matrix(const std::vector<float>& values, std::size_t dim) {
  return NdArray::from_floats(values, {values.size() / dim, dim});
}

}  // namespace jflow::test
