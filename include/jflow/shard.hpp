// Which shard owns a document: a stable hash of its id, the same in every process and on every
// host, so each shard of a `polling: all` indexer keeps its own part of the data and a search sent
// to all shards sees every document exactly once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace jflow {

// 64-bit FNV-1a: tiny, stable across platforms and releases (std::hash is neither).
inline std::uint64_t stable_hash(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= 0x100000001b3ull;
  }
  return hash;
}

inline std::size_t shard_of(std::string_view id, std::size_t shards) {
  return shards <= 1 ? 0 : static_cast<std::size_t>(stable_hash(id) % shards);
}

}  // namespace jflow
