// WaitDriver: continues each request after a fixed duration without blocking the pea's loop, so a
// request that arrives during the wait is served meanwhile and may overtake the waiting one.
//   uses: "- !WaitDriver {duration: 1s}"
#pragma once

#include "jflow/driver.hpp"

namespace jflow {

class WaitDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit WaitDriver(Duration duration) : duration_(duration) {}
  std::string_view kind() const override { return "WaitDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  Duration duration_;
};

}  // namespace jflow
