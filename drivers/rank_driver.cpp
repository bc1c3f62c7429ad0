#include "drivers/rank_driver.hpp"

#include "drivers/driver_support.hpp"
#include "jflow/message.hpp"

namespace jflow {

DriverInfo RankDriver::info() {
  return {"RankDriver",
          "lets the pod's Ranker set each root document's top_k matches",
          {{"top_k", "integer", "10", "matches per document (request parameter top_k wins)"}}};
}

void RankDriver::attach(Executor* executor) {
  ranker_ = &require_capability<Ranker>(executor, kind(), "a Ranker");
}

DriverResult RankDriver::handle(Message& message, const DriverContext&) {
  if (ranker_ == nullptr) throw_not_attached(kind());
  Request& request = message.request();
  std::size_t top_k = top_k_from_parameters(request, top_k_, kind());
  for (Document& doc : request.docs) ranker_->rank(doc, top_k);
  return DriverResult::next();
}

}  // namespace jflow
