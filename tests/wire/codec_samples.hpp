// Sample messages shared by the codec tests: one of each kind, with every field set, so a round
// trip covers the whole format and a truncation or mutation of it reaches every decoder branch.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "jflow/codec.hpp"

namespace jflow::test {

inline ValueMap every_value_kind() {
  return {
      {"nil", std::monostate{}},
      {"yes", true},
      {"no", false},
      {"small", std::int64_t{7}},
      {"negative", std::int64_t{-40000}},
      {"min", std::numeric_limits<std::int64_t>::min()},
      {"max", std::numeric_limits<std::int64_t>::max()},
      {"half", 0.5},
      {"integral_double", 2.0},  // must stay a double, not become an int on the wire
      {"text", std::string("héllo")},
      {"empty", std::string()},
  };
}

inline Document leaf_document(const std::string& id, double score) {
  Document doc;
  doc.id = id;
  doc.text = "leaf " + id;
  doc.score = score;
  return doc;
}

inline Document full_document() {
  Document doc;
  doc.id = "doc-1";
  doc.text = "a document with every field set";
  doc.raw = std::string("\x00\x01\xff raw bytes", 13);
  doc.blob.dtype = DType::uint8;
  doc.blob.shape = {2, 3};
  doc.blob.bytes = std::string("\x01\x02\x03\x04\x05\x06", 6);
  const float values[] = {0.25f, -1.5f, 3.0f, 1e-3f};
  doc.embedding = NdArray::from_floats(values);
  doc.tags = every_value_kind();
  doc.score = 0.75;

  Document chunk = leaf_document("doc-1/chunk-0", 0.0);
  chunk.embedding = NdArray::from_floats(values, {2, 2});
  chunk.chunks.push_back(leaf_document("doc-1/chunk-0/0", 0.0));  // a chunk of a chunk
  chunk.matches.push_back(leaf_document("match-of-chunk", 0.9));
  doc.chunks.push_back(chunk);
  doc.chunks.push_back(leaf_document("doc-1/chunk-1", 0.0));
  doc.matches.push_back(leaf_document("match-a", 0.99));
  doc.matches.push_back(leaf_document("match-b", -2.0));
  return doc;
}

inline Request full_request() {
  Request request;
  request.docs.push_back(full_document());
  request.docs.push_back(leaf_document("doc-2", 0.0));
  request.docs.push_back(Document{});  // all fields empty: encodes as {}
  request.parameters = {{"top_k", std::int64_t{10}},
                        {"mode", std::string("fast")},
                        {"threshold", 0.125},
                        {"debug", false}};
  return request;
}

inline Envelope full_envelope() {
  Envelope envelope;
  envelope.request_id = "req-42";
  envelope.type = RequestType::search;
  envelope.deadline_ns = 1'700'000'000'123'456'789;
  envelope.status = {StatusCode::error, "encoder failed: bad input", "encoder", "TinyEncoder"};
  envelope.routes = {{"gateway", "gateway", 1'700'000'000'000'000'000, 1'700'000'000'000'000'100},
                     {"encoder", "encoder/replica-1", 1'700'000'000'000'001'000, 0},
                     {"indexer", "indexer/tail", -1, std::numeric_limits<std::int64_t>::max()}};
  return envelope;
}

inline ControlMessage full_control() {
  ControlMessage message;
  message.command = "ready";
  message.pea = "encoder/replica-1";
  message.fields = every_value_kind();
  message.endpoints = {"tcp://127.0.0.1:40001", "ipc:///tmp/jflow-pea-1"};
  return message;
}

}  // namespace jflow::test
