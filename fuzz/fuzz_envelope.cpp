// The envelope frame every pea and the served front decode first. A decoded envelope must encode
// back to bytes that decode to the same envelope.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "jflow/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  jflow::Envelope envelope;
  try {
    envelope = jflow::decode_envelope(jflow::fuzz::as_text(data, size));
  } catch (const jflow::DecodeError&) {
    return 0;
  }
  if (jflow::decode_envelope(jflow::encode_envelope(envelope)) != envelope) std::abort();
  return 0;
}
