// ForwardDriver: passes the request on untouched — the body is never decoded (`uses: _pass`).
#pragma once

#include "jflow/driver.hpp"

namespace jflow {

class ForwardDriver final : public Driver {
 public:
  static DriverInfo info();
  std::string_view kind() const override { return "ForwardDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override;
};

}  // namespace jflow
