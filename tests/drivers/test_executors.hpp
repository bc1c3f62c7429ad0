// Small, real executors for the driver tests: each implements its capability fully (no recorded
// expectations), so a test checks what a driver does to documents, not which calls it made.
#pragma once

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "jflow/codec.hpp"
#include "jflow/executor.hpp"
#include "jflow/message.hpp"

namespace jflow::testing {

// Splits a document's text at spaces into chunks "<id>/<n>", one per word.
class WordSplitter final : public Crafter {
 public:
  WordSplitter() : Crafter(ExecutorMetas{}) {}
  std::string_view kind() const override { return "WordSplitter"; }
  void craft(Document& document) override {
    std::size_t start = 0;
    while (start < document.text.size()) {
      std::size_t end = document.text.find(' ', start);
      if (end == std::string::npos) end = document.text.size();
      if (end > start) {
        Document chunk;
        chunk.id = document.id + "/" + std::to_string(document.chunks.size());
        chunk.text = document.text.substr(start, end - start);
        document.chunks.push_back(std::move(chunk));
      }
      start = end + 1;
    }
  }
};

// Embeds a text as [length, vowel count]; remembers how many documents each call had.
class LengthVowelEncoder final : public Encoder {
 public:
  LengthVowelEncoder() : Encoder(ExecutorMetas{}) {}
  std::string_view kind() const override { return "LengthVowelEncoder"; }
  NdArray encode(std::span<const Document* const> documents) override {
    batch_sizes.push_back(documents.size());
    std::vector<float> values;
    for (const Document* doc : documents) {
      auto vowels = std::count_if(doc->text.begin(), doc->text.end(), [](char c) {
        return std::string_view("aeiouAEIOU").find(c) != std::string_view::npos;
      });
      values.push_back(static_cast<float>(doc->text.size()));
      values.push_back(static_cast<float>(vowels));
    }
    return NdArray::from_floats(values, {documents.size(), 2});
  }
  std::vector<std::size_t> batch_sizes;
};

// Exact nearest neighbours by L2 distance; the score is the negated distance (higher is better).
class BruteForceIndexer final : public VectorIndexer {
 public:
  BruteForceIndexer() : VectorIndexer(ExecutorMetas{}) {}
  std::string_view kind() const override { return "BruteForceIndexer"; }
  void add(std::span<const std::string> ids, const NdArray& vectors) override {
    auto values = vectors.view<float>();
    std::size_t dim = vectors.shape.at(1);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      rows_.emplace_back(
          ids[i], std::vector<float>(values.begin() + i * dim, values.begin() + (i + 1) * dim));
    }
  }
  std::vector<std::vector<ScoredId>> query(const NdArray& queries, std::size_t top_k) override {
    auto values = queries.view<float>();
    std::size_t dim = queries.shape.at(1);
    std::vector<std::vector<ScoredId>> results;
    for (std::size_t q = 0; q < queries.shape.at(0); ++q) {
      std::vector<ScoredId> hits;
      for (const auto& [id, row] : rows_) {
        float sum = 0;
        for (std::size_t d = 0; d < dim; ++d)
          sum += (row[d] - values[q * dim + d]) * (row[d] - values[q * dim + d]);
        hits.push_back({id, -std::sqrt(sum)});
      }
      std::stable_sort(hits.begin(), hits.end(),
                       [](const ScoredId& a, const ScoredId& b) { return a.score > b.score; });
      if (hits.size() > top_k) hits.resize(top_k);
      results.push_back(std::move(hits));
    }
    return results;
  }
  std::size_t size() const override { return rows_.size(); }
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    for (const auto& row : rows_) out.push_back(row.first);
    return out;
  }

 private:
  std::vector<std::pair<std::string, std::vector<float>>> rows_;
};

class MapStore final : public KeyValueIndexer {
 public:
  MapStore() : KeyValueIndexer(ExecutorMetas{}) {}
  std::string_view kind() const override { return "MapStore"; }
  void add(const Document& document) override { docs_[document.id] = document; }
  std::optional<Document> get(std::string_view id) const override {
    auto it = docs_.find(std::string(id));
    if (it == docs_.end()) return std::nullopt;
    return it->second;
  }
  std::size_t size() const override { return docs_.size(); }

 private:
  std::map<std::string, Document> docs_;
};

// Scores each parent document by the best score of its chunks' matches (tag parent_id).
class BestChunkRanker final : public Ranker {
 public:
  BestChunkRanker() : Ranker(ExecutorMetas{}) {}
  std::string_view kind() const override { return "BestChunkRanker"; }
  void rank(Document& query, std::size_t top_k) override {
    std::map<std::string, double> best;
    for (const Document& chunk : query.chunks) {
      for (const Document& match : chunk.matches) {
        auto parent = std::get<std::string>(match.tags.at("parent_id"));
        auto [it, added] = best.emplace(parent, match.score);
        if (!added) it->second = std::max(it->second, match.score);
      }
    }
    query.matches.clear();
    for (const auto& [id, score] : best) {
      Document match;
      match.id = id;
      match.score = score;
      query.matches.push_back(std::move(match));
    }
    std::stable_sort(query.matches.begin(), query.matches.end(),
                     [](const Document& a, const Document& b) { return a.score > b.score; });
    if (query.matches.size() > top_k) query.matches.resize(top_k);
  }
};

inline Document text_doc(std::string id, std::string text) {
  Document doc;
  doc.id = std::move(id);
  doc.text = std::move(text);
  return doc;
}

inline Message message_of(const Request& request) {
  std::string bytes = encode_body(request);
  return Message(Envelope{}, zmq::message_t(bytes.data(), bytes.size()));
}

inline Message joined_message(const std::vector<Request>& parts) {
  std::vector<zmq::message_t> bodies;
  for (const Request& part : parts) {
    std::string bytes = encode_body(part);
    bodies.emplace_back(bytes.data(), bytes.size());
  }
  return Message(Envelope{}, std::move(bodies));
}

}  // namespace jflow::testing
