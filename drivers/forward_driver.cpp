#include "drivers/forward_driver.hpp"

namespace jflow {

DriverInfo ForwardDriver::info() {
  return {"ForwardDriver", "passes requests on unchanged, without decoding their body", {}};
}

DriverResult ForwardDriver::handle(Message&, const DriverContext&) {
  return DriverResult::next();
}

}  // namespace jflow
