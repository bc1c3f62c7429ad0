// WaitDriver: continues each request after a fixed duration without blocking the pea's loop, so a
// request that arrives during the wait is served meanwhile and may overtake the waiting one.
//   uses: "- !WaitDriver {duration: 1s}"
// With `replica: N` only replica N of a parallel pod waits and the others pass at once — a
// straggler, for seeing how a pod's load balancing copes with one slow replica.
#pragma once

#include <cstdint>

#include "jflow/driver.hpp"

namespace jflow {

class WaitDriver final : public Driver {
 public:
  static DriverInfo info();
  WaitDriver(Duration duration, std::int64_t only_replica)
      : duration_(duration), only_replica_(only_replica) {}
  std::string_view kind() const override { return "WaitDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  Duration duration_;
  std::int64_t only_replica_;  // -1: every pea waits
};

}  // namespace jflow
