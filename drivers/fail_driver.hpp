// FailDriver: throws on every `every`-th request, for exercising error paths end to end
// (the request ends with status ERROR naming the pod and "FailDriver"; the next one is served).
#pragma once

#include <cstdint>
#include <string>

#include "jflow/driver.hpp"

namespace jflow {

class FailDriver final : public Driver {
 public:
  static DriverInfo info();
  FailDriver(std::string message, std::int64_t every)
      : message_(std::move(message)), every_(every) {}
  std::string_view kind() const override { return "FailDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  std::string message_;
  std::int64_t every_;
  std::int64_t seen_ = 0;
};

}  // namespace jflow
