#include "jflow/drivers/merge_driver.hpp"

#include <unordered_map>

#include "jflow/message.hpp"

namespace jflow {

Request merge_parts_by_id(std::vector<Request> parts) {
  Request merged;
  if (!parts.empty()) merged.type = parts.front().type;
  std::unordered_map<std::string, std::size_t> position;  // id -> index in merged.docs
  for (Request& part : parts) {
    if (merged.parameters.empty()) merged.parameters = std::move(part.parameters);
    for (Document& doc : part.docs) {
      auto found = doc.id.empty() ? position.end() : position.find(doc.id);
      if (found == position.end()) {
        if (!doc.id.empty()) position.emplace(doc.id, merged.docs.size());
        merged.docs.push_back(std::move(doc));
        continue;
      }
      Document& into = merged.docs[found->second];
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
