// The body frame: documents, their arrays, tags and matches, and the request parameters.
#include "fuzz_support.hpp"
#include "jflow/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const jflow::Request request = jflow::decode_body(jflow::fuzz::as_text(data, size));
    // What decoded must encode again (a value the encoder cannot write is a decoder bug).
    (void)jflow::encode_body(request);
  } catch (const jflow::DecodeError&) {
  }
  return 0;
}
