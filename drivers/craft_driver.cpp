#include "drivers/craft_driver.hpp"

#include "drivers/driver_support.hpp"
#include "jflow/message.hpp"

namespace jflow {

DriverInfo CraftDriver::info() {
  return {"CraftDriver",
          "runs the pod's Crafter on every document at `level` (splits into chunks, rewrites)",
          {{"level", "string", "root", "root, chunks or matches: the documents to craft"}}};
}

void CraftDriver::attach(Executor* executor) {
  crafter_ = &require_capability<Crafter>(executor, kind(), "a Crafter");
}

DriverResult CraftDriver::handle(Message& message, const DriverContext&) {
  if (crafter_ == nullptr) throw_not_attached(kind());
  // Collected before crafting, so chunks a crafter adds are not themselves crafted in this pass.
  for (Document* doc : docs_at(message.request(), level_)) crafter_->craft(*doc);
  return DriverResult::next();
}

}  // namespace jflow
