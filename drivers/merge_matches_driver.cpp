#include "jflow/drivers/merge_matches_driver.hpp"

#include <algorithm>

#include "jflow/drivers/merge_driver.hpp"
#include "jflow/message.hpp"

namespace jflow {

DriverInfo MergeMatchesDriver::info() {
  return {"MergeMatchesDriver",
          "merges a joined request's parts and keeps each document's top_k matches by score",
          {{"top_k", "integer", "10", "matches kept per document (request parameter top_k wins)"}}};
}

DriverResult MergeMatchesDriver::handle(Message& message, const DriverContext&) {
  if (message.joined()) message.set_request(merge_parts_by_id(message.parts()));
  Request& request = message.request();
  std::int64_t top_k = top_k_;
  if (auto it = request.parameters.find("top_k"); it != request.parameters.end()) {
    if (const auto* value = std::get_if<std::int64_t>(&it->second); value && *value >= 0) {
      top_k = *value;
    }
  }
  for (Document& doc : request.docs) {
    // Stable, so equal scores keep shard order and the result does not depend on sort internals.
    std::stable_sort(doc.matches.begin(), doc.matches.end(),
                     [](const Document& a, const Document& b) { return a.score > b.score; });
    if (static_cast<std::int64_t>(doc.matches.size()) > top_k) doc.matches.resize(top_k);
  }
  return DriverResult::next();
}

}  // namespace jflow
