// The JSON body of an HTTP /index or /search request (src/serve/serve_json.cpp).
#include "fuzz_support.hpp"
#include "serve/serve_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)jflow::serve::parse_query(jflow::fuzz::as_text(data, size));
  } catch (const jflow::serve::JsonError&) {
  }
  return 0;
}
