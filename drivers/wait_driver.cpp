#include "jflow/drivers/wait_driver.hpp"

namespace jflow {

DriverInfo WaitDriver::info() {
  return {"WaitDriver",
          "continues each request after `duration`, serving other requests meanwhile",
          {{"duration", "duration", "5s", "how long each request waits (Jina's WaitDriver: 5s)"}}};
}

DriverResult WaitDriver::handle(Message&, const DriverContext&) {
  return DriverResult::after(duration_);
}

}  // namespace jflow
