// Helpers for the executor tests: workspaces (TempDir) and small constructors for documents and
// float matrices.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "jflow/executor.hpp"
#include "support/temp_dir.hpp"

namespace jflow::test {

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
