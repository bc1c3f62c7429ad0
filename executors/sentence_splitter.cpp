// SentenceSplitter: splits text into sentences or words and turns them into chunk documents.
#include "executors/sentence_splitter.hpp"

#include <cstdint>

namespace jflow::executors {
namespace {

// ASCII classification by hand: <cctype> depends on the C locale and is undefined for the
// negative chars UTF-8 bytes become.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

bool is_punctuation(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return (byte >= '!' && byte <= '/') || (byte >= ':' && byte <= '@') ||
         (byte >= '[' && byte <= '`') || (byte >= '{' && byte <= '~');
}

bool ends_sentence(char c) {
  return c == '.' || c == '!' || c == '?' || c == ';' || c == ':';
}

std::string_view trim(std::string_view piece) {
  while (!piece.empty() && is_space(piece.front())) piece.remove_prefix(1);
  while (!piece.empty() && is_space(piece.back())) piece.remove_suffix(1);
  return piece;
}

}  // namespace

ExecutorInfo SentenceSplitter::info() {
  return {"SentenceSplitter",
          "splits each document's text into sentence or word chunks with ids <id>/<n>",
          {{"unit", "string", "sentence",
            "sentence (ends at . ! ? ; : or a newline) or word (runs between spaces and "
            "punctuation)"},
           {"min_length", "integer", "1", "drop pieces shorter than this many bytes (at least 1)"}},
          "{index: [!CraftDriver {level: root}], search: [!CraftDriver {level: root}]}"};
}

SentenceSplitter::SentenceSplitter(ExecutorMetas metas, SplitUnit unit, std::size_t min_length)
    : Crafter(std::move(metas)), unit_(unit), min_length_(min_length) {}

std::vector<std::string> SentenceSplitter::split(std::string_view text) const {
  std::vector<std::string> pieces;
  const auto keep = [&](std::string_view piece) {
    piece = trim(piece);
    if (!piece.empty() && piece.size() >= min_length_) pieces.emplace_back(piece);
  };
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (unit_ == SplitUnit::sentence) {
      if (c == '\n') {
        keep(text.substr(start, i - start));
        start = i + 1;
      } else if (ends_sentence(c)) {
        keep(text.substr(start, i + 1 - start));
        start = i + 1;
      }
    } else if (is_space(c) || is_punctuation(c)) {
      keep(text.substr(start, i - start));
      start = i + 1;
    }
  }
  keep(text.substr(start));
  return pieces;
}

void SentenceSplitter::craft(Document& document) {
  std::vector<std::string> pieces = split(document.text);
  std::vector<Document> chunks;
  chunks.reserve(pieces.size());
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    Document chunk;
    chunk.id = document.id + "/" + std::to_string(i);
    chunk.text = std::move(pieces[i]);
    chunk.tags["parent_id"] = document.id;
    chunk.tags["offset"] = static_cast<std::int64_t>(i);
    chunks.push_back(std::move(chunk));
  }
  document.chunks = std::move(chunks);
}

}  // namespace jflow::executors
