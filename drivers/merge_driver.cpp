#include "drivers/merge_driver.hpp"

#include <optional>
#include <unordered_map>

#include "jflow/message.hpp"

namespace jflow {

Request merge_parts_by_id(std::vector<Request> parts) {
  Request merged;
  if (!parts.empty()) merged.type = parts.front().type;
  std::unordered_map<std::string, std::size_t> position;  // id -> index in merged.docs
  // Documents without an id (a query typed by a user) are matched by their place among the
  // id-less documents of each part: every part is a copy of the same request, in the same order.
  std::vector<std::size_t> unnamed;  // k-th id-less document -> index in merged.docs
  for (Request& part : parts) {
    if (merged.parameters.empty()) merged.parameters = std::move(part.parameters);
    std::size_t unnamed_seen = 0;
    for (Document& doc : part.docs) {
      std::optional<std::size_t> found;
      if (doc.id.empty()) {
        if (unnamed_seen < unnamed.size()) found = unnamed[unnamed_seen];
        ++unnamed_seen;
      } else if (auto it = position.find(doc.id); it != position.end()) {
        found = it->second;
      }
      if (!found) {
        (doc.id.empty() ? unnamed.emplace_back() : position[doc.id]) = merged.docs.size();
        merged.docs.push_back(std::move(doc));
        continue;
      }
      Document& into = merged.docs[*found];
      for (Document& chunk : doc.chunks) into.chunks.push_back(std::move(chunk));
      for (Document& match : doc.matches) into.matches.push_back(std::move(match));
      for (auto& [key, value] : doc.tags) into.tags.emplace(key, std::move(value));
    }
  }
  return merged;
}

DriverInfo MergeDriver::info() {
  return {"MergeDriver",
          "merges the parts of a joined request: documents with the same id become one, their "
          "chunks and matches combined",
          {}};
}

DriverResult MergeDriver::handle(Message& message, const DriverContext&) {
  if (message.joined()) message.set_request(merge_parts_by_id(message.parts()));
  return DriverResult::next();
}

}  // namespace jflow
