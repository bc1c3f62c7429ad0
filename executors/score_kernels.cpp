// Row normalisation for the score kernels (the kernels themselves are inline in the header).
#include "executors/score_kernels.hpp"

#include <cmath>

namespace jflow::executors {

void normalize_row(float* row, std::size_t dim) {
  // Double precision for the norm: it runs once per stored row, so exactness is cheap here.
  double norm = 0;
  for (std::size_t i = 0; i < dim; ++i) norm += static_cast<double>(row[i]) * row[i];
  if (norm == 0) return;
  const double scale = 1.0 / std::sqrt(norm);
  for (std::size_t i = 0; i < dim; ++i) row[i] = static_cast<float>(row[i] * scale);
}

}  // namespace jflow::executors
