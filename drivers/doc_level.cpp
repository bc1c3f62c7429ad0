#include "drivers/doc_level.hpp"

#include <stdexcept>
#include <string>

namespace jflow {

std::string_view doc_level_name(DocLevel level) {
  switch (level) {
    case DocLevel::root:
      return "root";
    case DocLevel::chunks:
      return "chunks";
    case DocLevel::matches:
      return "matches";
  }
  return "?";
}

DocLevel parse_doc_level(std::string_view name) {
  for (DocLevel level : {DocLevel::root, DocLevel::chunks, DocLevel::matches}) {
    if (name == doc_level_name(level)) return level;
  }
  throw std::invalid_argument("unknown level '" + std::string(name) +
                              "': expected root, chunks or matches");
}

void for_each_doc(Request& request, DocLevel level, const std::function<void(Document&)>& visit) {
  for (Document& doc : request.docs) {
    switch (level) {
      case DocLevel::root:
        visit(doc);
        break;
      case DocLevel::chunks:
        for (Document& chunk : doc.chunks) visit(chunk);
        break;
      case DocLevel::matches:
        for (Document& match : doc.matches) visit(match);
        break;
    }
  }
}

std::vector<Document*> docs_at(Request& request, DocLevel level) {
  std::vector<Document*> docs;
  for_each_doc(request, level, [&docs](Document& doc) { docs.push_back(&doc); });
  return docs;
}

}  // namespace jflow
