#include "drivers/wait_driver.hpp"
#include "jflow/defaults.hpp"

namespace jflow {

DriverInfo WaitDriver::info() {
  return {"WaitDriver",
          "continues each request after `duration`, serving other requests meanwhile",
          {{"duration", "duration", defaults::kWaitDurationText,
            "how long each request waits (Jina's WaitDriver: 5s)"},
           {"replica", "integer", "-1", "only this replica of a parallel pod waits (-1: all)"}}};
}

DriverResult WaitDriver::handle(Message&, const DriverContext& context) {
  if (only_replica_ >= 0 && static_cast<std::size_t>(only_replica_) != context.replica) {
    return DriverResult::next();
  }
  return DriverResult::after(duration_);
}

}  // namespace jflow
