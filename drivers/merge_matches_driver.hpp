// MergeMatchesDriver (`uses: _merge_matches`): the reducer for sharded search. Merges the parts
// like MergeDriver, then keeps the `top_k` best matches by score (highest first, equal scores in
// part order) — so the tail of a polling-all pod answers with the global top-k of the union of
// its shards. A request parameter `top_k` (an integer ≥ 0) overrides the option.
//   level: root    (default) each root document's matches
//   level: chunks  each root document's chunks' matches: chunks with the same id (the same chunk
//                  as every shard returned it) become one, their matches combined, then cut to
//                  top_k — for an indexer searched at `level: chunks`. Root matches are untouched.
#pragma once

#include <cstdint>

#include "drivers/doc_level.hpp"
#include "jflow/driver.hpp"

namespace jflow {

class MergeMatchesDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit MergeMatchesDriver(std::int64_t top_k, DocLevel level = DocLevel::root)
      : top_k_(top_k), level_(level) {}
  std::string_view kind() const override { return "MergeMatchesDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  std::int64_t top_k_;
  DocLevel level_;  // root or chunks (the factory refuses matches)
};

}  // namespace jflow
