// FeatureHashEncoder: tokenise, count features, hash each to a signed bucket, normalise.
#include "executors/feature_hash_encoder.hpp"

#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "jflow/shard.hpp"

namespace jflow::executors {
namespace {

// splitmix64's finaliser: spreads FNV-1a's weak low bits over the whole word, so `hash % dim`
// and the sign bit are both well distributed.
std::uint64_t mix(std::uint64_t value) {
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ull;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebull;
  value ^= value >> 31;
  return value;
}

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> tokens;
  std::string token;
  for (char c : text) {
    if (c >= 'A' && c <= 'Z') {
      token += static_cast<char>(c - 'A' + 'a');
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      token += c;
    } else if (!token.empty()) {
      tokens.push_back(std::move(token));
      token.clear();
    }
  }
  if (!token.empty()) tokens.push_back(std::move(token));
  return tokens;
}

}  // namespace

ExecutorInfo FeatureHashEncoder::info() {
  return {"FeatureHashEncoder",
          "deterministic text embeddings by feature hashing of words (and bigrams), no model",
          {{"dim", "integer", "256", "vector size (1 to 65536)"},
           {"ngrams", "integer", "1", "1: words; 2: words and word bigrams"},
           {"seed", "integer", "0", "mixed into every hash; another seed is another hashing"}},
          "{index: [!EncodeDriver {level: chunks}], search: [!EncodeDriver {level: chunks}]}"};
}

FeatureHashEncoder::FeatureHashEncoder(ExecutorMetas metas, std::size_t dim, int ngrams,
                                       std::uint64_t seed)
    : Encoder(std::move(metas)), dim_(dim), ngrams_(ngrams), seed_mix_(mix(seed)) {
  if (dim_ == 0) throw std::invalid_argument("FeatureHashEncoder: dim must be at least 1");
  if (ngrams_ != 1 && ngrams_ != 2) {
    throw std::invalid_argument("FeatureHashEncoder: ngrams must be 1 or 2");
  }
}

NdArray FeatureHashEncoder::encode(std::span<const Document* const> documents) {
  std::vector<float> rows(documents.size() * dim_, 0.0f);
  for (std::size_t i = 0; i < documents.size(); ++i) {
    if (documents[i] == nullptr) {
      throw std::invalid_argument("FeatureHashEncoder: document " + std::to_string(i) + " is null");
    }
    encode_text(documents[i]->text, rows.data() + i * dim_);
  }
  return NdArray::from_floats(rows, {documents.size(), dim_});
}

void FeatureHashEncoder::encode_text(std::string_view text, float* row) const {
  const std::vector<std::string> tokens = tokenize(text);
  // An ordered map: features are added in one fixed order, so the float sums are the same
  // whatever the hash table implementation.
  std::map<std::string, int> counts;
  for (const std::string& token : tokens) ++counts[token];
  if (ngrams_ == 2) {
    // A space never occurs inside a token, so a bigram never collides with a word.
    for (std::size_t i = 1; i < tokens.size(); ++i) ++counts[tokens[i - 1] + " " + tokens[i]];
  }
  std::vector<double> sums(dim_, 0.0);
  for (const auto& [feature, tf] : counts) {
    const std::uint64_t hash = mix(stable_hash(feature) ^ seed_mix_);
    const double weight = 1.0 + std::log(static_cast<double>(tf));
    sums[hash % dim_] += (hash >> 63) != 0 ? -weight : weight;
  }
  double norm = 0;
  for (double value : sums) norm += value * value;
  if (norm == 0) return;  // no tokens (or exact cancellation): the row stays zero
  const double scale = 1.0 / std::sqrt(norm);
  for (std::size_t b = 0; b < dim_; ++b) row[b] = static_cast<float>(sums[b] * scale);
}

}  // namespace jflow::executors
