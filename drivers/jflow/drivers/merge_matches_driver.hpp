// MergeMatchesDriver (`uses: _merge_matches`): the reducer for sharded search. Merges the parts
// like MergeDriver, then keeps each document's `top_k` best matches by score (highest first) —
// so the tail of a polling-all pod answers with the global top-k of the union of its shards.
// A request parameter `top_k` overrides the option.
#pragma once

#include <cstdint>

#include "jflow/driver.hpp"

namespace jflow {

class MergeMatchesDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit MergeMatchesDriver(std::int64_t top_k) : top_k_(top_k) {}
  std::string_view kind() const override { return "MergeMatchesDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  std::int64_t top_k_;
};

}  // namespace jflow
