// DocLevel: which documents of a request a driver works on — the request's own documents (root),
// their chunks, or their matches. Drivers that call an executor take it as their `level` option,
// so one encoder pod can embed whole documents and another their sentences.
//   root     request.docs
//   chunks   every root document's chunks, document by document, in order
//   matches  every root document's matches, document by document, in order
// Only one level deep: chunks of chunks are not visited (a crafter that nests them is not a case
// any built-in driver needs yet).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "jflow/request.hpp"

namespace jflow {

enum class DocLevel { root, chunks, matches };

std::string_view doc_level_name(DocLevel level);
// Throws std::invalid_argument naming the bad value and the three levels.
DocLevel parse_doc_level(std::string_view name);

// Calls `visit` on every document at `level`, in request order.
void for_each_doc(Request& request, DocLevel level, const std::function<void(Document&)>& visit);
// The documents at `level`, in the order for_each_doc visits them. The pointers stay valid until
// the request's document vectors change size.
std::vector<Document*> docs_at(Request& request, DocLevel level);

}  // namespace jflow
