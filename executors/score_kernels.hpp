// The inner loops of exact vector search: dot product and squared L2 distance of two float rows.
//
// They are written so GCC vectorizes them at -O2 without -ffast-math. Without -ffast-math the
// compiler may not reassociate a float sum, so a loop with one accumulator stays scalar (each add
// waits for the previous one). These kernels keep kLanes independent partial sums, one per
// position within a block of kLanes floats: each partial sum is itself a strict left-to-right sum,
// so the vector code computes exactly what the source says, and the unrolled block maps onto
// SIMD registers (four 4-float SSE registers on baseline x86-64). The partials are added at the
// end, then the dim % kLanes tail. The result is deterministic for a given dim, but not bit-equal
// to a one-accumulator loop. To see the vectorizer at work:
//   g++ -std=c++20 -O2 -fopt-info-vec-optimized -Iexecutors -Icore -c executors/vector_indexer.cpp
#pragma once

#include <cstddef>

namespace jflow::executors {

inline constexpr std::size_t kLanes = 16;

// Inline: the scan calls them once per row, and a call per 128 floats is a measurable cost.
inline float dot_product(const float* __restrict a, const float* __restrict b, std::size_t dim) {
  float partial[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= dim; i += kLanes) {
    // Unrolling the block lets the partial sums live in registers instead of on the stack.
#pragma GCC unroll 16
    for (std::size_t lane = 0; lane < kLanes; ++lane) partial[lane] += a[i + lane] * b[i + lane];
  }
  float sum = 0;
  for (std::size_t lane = 0; lane < kLanes; ++lane) sum += partial[lane];
  for (; i < dim; ++i) sum += a[i] * b[i];
  return sum;
}

inline float squared_l2(const float* __restrict a, const float* __restrict b, std::size_t dim) {
  float partial[kLanes] = {};
  std::size_t i = 0;
  for (; i + kLanes <= dim; i += kLanes) {
#pragma GCC unroll 16
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      const float difference = a[i + lane] - b[i + lane];
      partial[lane] += difference * difference;
    }
  }
  float sum = 0;
  for (std::size_t lane = 0; lane < kLanes; ++lane) sum += partial[lane];
  for (; i < dim; ++i) {
    const float difference = a[i] - b[i];
    sum += difference * difference;
  }
  return sum;
}

// Scales `row` to unit L2 norm in place; an all-zero row stays zero.
void normalize_row(float* row, std::size_t dim);

}  // namespace jflow::executors
