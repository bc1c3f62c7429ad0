// FeatureHashEncoder (YAML `uses: FeatureHashEncoder`): turns text into a fixed-size vector with
// the hashing trick — deterministic, instant, and with no model to download, so a flow can be
// built and tested anywhere. Texts that share words get close vectors (cosine).
//
// with: {dim: 256, ngrams: 1, seed: 0}
//   Tokens are runs of ASCII letters and digits, lowercased; everything else separates them.
//   ngrams 2 adds word bigrams ("new york") to the words. Each distinct feature f with count tf
//   adds sign(f)·(1 + ln tf) to bucket(f), where bucket and sign come from jflow::stable_hash of
//   f mixed with the seed (different seeds give unrelated hashings). Each row is then scaled to
//   unit L2 norm; a text without tokens gives an all-zero row.
// The same text gives bit-identical vectors in every process and on every little-endian host.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "jflow/executor.hpp"

namespace jflow::executors {

class FeatureHashEncoder final : public Encoder {
 public:
  static ExecutorInfo info();
  FeatureHashEncoder(ExecutorMetas metas, std::size_t dim, int ngrams, std::uint64_t seed);

  std::string_view kind() const override { return "FeatureHashEncoder"; }
  // Encodes each document's text: float32 [documents.size(), dim].
  NdArray encode(std::span<const Document* const> documents) override;

  std::size_t dim() const { return dim_; }

 private:
  void encode_text(std::string_view text, float* row) const;

  std::size_t dim_;
  int ngrams_;
  std::uint64_t seed_mix_;  // the seed, pre-mixed so seed 0 and seed 1 differ in every bit
};

}  // namespace jflow::executors
