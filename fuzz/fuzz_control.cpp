// The control plane as a pea reads it from the orchestrator: a ControlMessage, and for configure
// the whole PeaConfig inside it (its driver chains are YAML read by the spec code).
#include <stdexcept>

#include "control/control.hpp"
#include "control/control_channel.hpp"
#include "fuzz_support.hpp"
#include "jflow/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  jflow::ControlMessage message;
  try {
    message = jflow::decode_control(jflow::fuzz::as_text(data, size));
  } catch (const jflow::DecodeError&) {
    return 0;
  }
  try {
    if (message.command == "configure") (void)jflow::read_configure(message);
    (void)jflow::text_field(message, "message");
    (void)jflow::text_field(message, "reason");
    (void)jflow::integer_field_or(message, "replica", 0);
  } catch (const std::exception&) {
    // Refused with a message: what the pea reports as failed/rejected.
  }
  return 0;
}
