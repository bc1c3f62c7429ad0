// FeatureHashEncoder: deterministic bytes across instances, seeds change the hashing, shared
// words make vectors close, rows are unit length (or zero without tokens).
#include <cmath>

#include <catch2/catch.hpp>

#include "executors/executor_test_support.hpp"
#include "executors/feature_hash_encoder.hpp"

using namespace jflow;
using namespace jflow::executors;

namespace {

NdArray encode_texts(FeatureHashEncoder& encoder, const std::vector<std::string>& texts) {
  std::vector<Document> docs;
  for (const std::string& text : texts) docs.push_back(test::text_doc("", text));
  std::vector<const Document*> pointers;
  for (const Document& doc : docs) pointers.push_back(&doc);
  return encoder.encode(pointers);
}

double cosine(std::span<const float> all, std::size_t dim, std::size_t a, std::size_t b) {
  double dot = 0;
  for (std::size_t i = 0; i < dim; ++i) dot += all[a * dim + i] * all[b * dim + i];
  return dot;  // rows are unit length
}

}  // namespace

TEST_CASE("FeatureHashEncoder is deterministic across instances", "[executors]") {
  const std::vector<std::string> texts = {"In the beginning God created the heaven and the earth.",
                                          "And the earth was without form, and void", ""};
  FeatureHashEncoder first(ExecutorMetas{}, 64, 2, 7);
  FeatureHashEncoder second(ExecutorMetas{}, 64, 2, 7);
  const NdArray a = encode_texts(first, texts);
  const NdArray b = encode_texts(second, texts);
  CHECK(a.shape == std::vector<std::uint64_t>{3, 64});
  CHECK(a.dtype == DType::float32);
  CHECK(a.bytes == b.bytes);
  // Case and punctuation do not matter: the tokens are the same.
  const NdArray c = encode_texts(first, {"IN the Beginning -- god CREATED the heaven, and the "
                                         "earth"});
  CHECK(c.bytes == a.bytes.substr(0, 64 * sizeof(float)));
}

TEST_CASE("FeatureHashEncoder seeds give different hashings", "[executors]") {
  FeatureHashEncoder seed0(ExecutorMetas{}, 256, 1, 0);
  FeatureHashEncoder seed1(ExecutorMetas{}, 256, 1, 1);
  const std::string text = "the quick brown fox jumps over the lazy dog";
  CHECK(encode_texts(seed0, {text}).bytes != encode_texts(seed1, {text}).bytes);
}

TEST_CASE("FeatureHashEncoder rows are unit length - no tokens gives a zero row", "[executors]") {
  FeatureHashEncoder encoder(ExecutorMetas{}, 128, 1, 0);
  const NdArray rows = encode_texts(encoder, {"word word word other", "... !!! ---"});
  const auto values = rows.view<float>();
  double norm = 0;
  for (std::size_t i = 0; i < 128; ++i) norm += values[i] * values[i];
  CHECK(norm == Approx(1.0).epsilon(1e-6));
  for (std::size_t i = 128; i < 256; ++i) CHECK(values[i] == 0.0f);
}

TEST_CASE("FeatureHashEncoder puts similar texts closer than unrelated ones", "[executors]") {
  FeatureHashEncoder encoder(ExecutorMetas{}, 256, 2, 0);
  const NdArray rows = encode_texts(encoder, {
                                                 "the lord is my shepherd I shall not want",
                                                 "the lord is my shepherd and my light",
                                                 "pharaoh built cities of brick and straw",
                                             });
  const auto values = rows.view<float>();
  const double similar = cosine(values, 256, 0, 1);
  const double unrelated = cosine(values, 256, 0, 2);
  CHECK(similar > 0.4);
  CHECK(similar > unrelated + 0.3);
}

TEST_CASE("FeatureHashEncoder counts repeats sublinearly", "[executors]") {
  // One token: the row is a single ±1 whatever its count. Two tokens, one repeated 3 times: the
  // repeated token weighs 1 + ln 3 against 1 (unless both hash to one bucket).
  FeatureHashEncoder encoder(ExecutorMetas{}, 4096, 1, 0);
  const NdArray rows = encode_texts(encoder, {"amen amen amen selah"});
  std::vector<float> magnitudes;
  for (float value : rows.view<float>()) {
    if (value != 0.0f) magnitudes.push_back(std::fabs(value));
  }
  REQUIRE(magnitudes.size() == 2);
  const double expected_ratio = 1.0 + std::log(3.0);
  const double ratio =
      std::max(magnitudes[0], magnitudes[1]) / std::min(magnitudes[0], magnitudes[1]);
  CHECK(ratio == Approx(expected_ratio).epsilon(1e-5));
}
