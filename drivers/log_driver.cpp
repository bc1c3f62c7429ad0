#include "drivers/log_driver.hpp"

#include <iostream>
#include <sstream>
#include <utility>

#include "jflow/message.hpp"

namespace jflow {

DriverInfo LogDriver::info() {
  return {"LogDriver",
          "logs each request (id, type, and optionally its document count) to stderr",
          {{"docs", "bool", "false", "decode the body and log how many documents it holds"}}};
}

DriverResult LogDriver::handle(Message& message, const DriverContext& context) {
  std::ostringstream line;  // built first so concurrent peas do not interleave within a line
  const Envelope& envelope = std::as_const(message).envelope();  // read only: the pea forwards it
  line << "[" << context.pod << "/" << context.pea << "] request " << envelope.request_id << " "
       << request_type_name(envelope.type);
  if (show_docs_) line << " docs=" << message.request().docs.size();
  // The trace id (a traceparent's second part) follows one request through every pea's log.
  const std::string& trace = message.envelope().traceparent;
  if (trace.size() > 35) line << " trace=" << std::string_view(trace).substr(3, 32);
  line << "\n";
  std::cerr << line.str() << std::flush;
  return DriverResult::next();
}

}  // namespace jflow
