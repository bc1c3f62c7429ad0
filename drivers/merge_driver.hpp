// MergeDriver (`uses: _merge`): reduces the parts of a joined request (a pod with several
// `needs`, or the tail of a polling-all pod) into one. Documents with the same id become one
// document — the first part's, with the other parts' chunks and matches appended and tags it
// lacks added. Documents without an id are matched by their place among each part's id-less
// documents (the parts are copies of one request); documents seen once are kept in part order.
// On a request that is not joined it does nothing.
#pragma once

#include <vector>

#include "jflow/driver.hpp"
#include "jflow/request.hpp"

namespace jflow {

// The merge described above; parameters come from the first part that has any.
Request merge_parts_by_id(std::vector<Request> parts);

class MergeDriver final : public Driver {
 public:
  static DriverInfo info();
  std::string_view kind() const override { return "MergeDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override;
};

}  // namespace jflow
