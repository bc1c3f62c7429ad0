#include "drivers/log_driver.hpp"

#include <string>
#include <utility>

#include "jflow/log.hpp"
#include "jflow/message.hpp"

namespace jflow {

DriverInfo LogDriver::info() {
  return {"LogDriver",
          "logs each request (id, type, and optionally its document count) at level info",
          {{"docs", "bool", "false", "decode the body and log how many documents it holds"}}};
}

DriverResult LogDriver::handle(Message& message, const DriverContext& context) {
  if (!log_enabled(LogLevel::info)) return DriverResult::next();
  const Envelope& envelope = std::as_const(message).envelope();  // read only: the pea forwards it
  std::string line =
      "request " + envelope.request_id + " " + std::string(request_type_name(envelope.type));
  if (show_docs_) line += " docs=" + std::to_string(message.request().docs.size());
  // The line names its pea and carries the request's traceparent, whose trace id follows one
  // request through every pea's log.
  log(context.pea, LogLevel::info, line, envelope.traceparent);
  return DriverResult::next();
}

}  // namespace jflow
