#include "drivers/fail_driver.hpp"

#include <stdexcept>

namespace jflow {

DriverInfo FailDriver::info() {
  return {"FailDriver",
          "throws on every `every`-th request (fault injection for testing error handling)",
          {{"message", "string", "injected failure", "the exception's message"},
           {"every", "integer", "1", "fail requests number every, 2*every, … (1: all)"}}};
}

DriverResult FailDriver::handle(Message&, const DriverContext&) {
  ++seen_;
  if (seen_ % every_ == 0) throw std::runtime_error(message_);
  return DriverResult::next();
}

}  // namespace jflow
