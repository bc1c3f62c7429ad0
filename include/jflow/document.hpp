// Document: the unit of data that flows through pods — text, raw bytes, arrays, tags, and a tree of
// chunks (parts of this document) and matches (results found for it).
#pragma once

#include <string>
#include <vector>

#include "jflow/ndarray.hpp"
#include "jflow/value.hpp"

namespace jflow {

struct Document {
  std::string id;
  std::string text;
  std::string raw;    // arbitrary bytes (a file's contents, an image)
  NdArray blob;       // n-d array input (an image tensor, a sound clip)
  NdArray embedding;  // the vector an encoder computed
  ValueMap tags;
  std::vector<Document> chunks;
  std::vector<Document> matches;
  double score = 0.0;  // meaningful on matches

  bool operator==(const Document&) const = default;
};

}  // namespace jflow
