// SentenceSplitter (YAML `uses: SentenceSplitter`): a Crafter that splits a document's text into
// chunks, so each sentence (or word) is encoded, indexed and matched on its own.
//
// with: {unit: sentence|word, min_length: 1}
//   sentence: a piece ends after . ! ? ; : or at a newline; the end mark stays in the piece.
//   word:     pieces are runs of characters that are neither ASCII whitespace nor ASCII
//             punctuation (bytes >= 0x80 count as word characters, so UTF-8 words stay whole).
// Pieces are trimmed of surrounding whitespace; pieces shorter than min_length bytes are dropped.
//
// The chunk-id convention: the i-th kept chunk (counting from 0) of a document with id P gets
//   id "P/i", text the piece, tags {"parent_id": P, "offset": i}.
// ChunkRanker relies on it to map a chunk match back to its document: it reads tags["parent_id"]
// and, when matches carry no tags (vector search returns ids only), the id up to its last '/'.
// craft() replaces any chunks the document already had, so crafting twice gives the same result.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/executor.hpp"

namespace jflow::executors {

enum class SplitUnit { sentence, word };

class SentenceSplitter final : public Crafter {
 public:
  static ExecutorInfo info();
  SentenceSplitter(ExecutorMetas metas, SplitUnit unit, std::size_t min_length);

  std::string_view kind() const override { return "SentenceSplitter"; }
  void craft(Document& document) override;

  // The kept pieces of `text`, in order.
  std::vector<std::string> split(std::string_view text) const;

 private:
  SplitUnit unit_;
  std::size_t min_length_;
};

}  // namespace jflow::executors
