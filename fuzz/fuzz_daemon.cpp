// The daemon link in both directions: what a daemon reads from an orchestrator (launch, kill, bye,
// ping) and what an orchestrator reads from a daemon (launched, launch_failed, log, exited, pong).
#include <stdexcept>

#include "control/control_channel.hpp"
#include "control/daemon_protocol.hpp"
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
    for (const char* key : {"pea", "control", "curve_session", "message", "line", "how"}) {
      (void)jflow::text_field(message, key);
    }
    for (const char* key : {"pid", "orchestrators", "peas"}) {
      (void)jflow::integer_field_or(message, key, 0);
    }
  } catch (const std::exception&) {
  }
  return 0;
}
