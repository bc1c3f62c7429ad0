// NumPy .npy files as `jflow client --npy` and rows_of() read them.
#include <stdexcept>

#include "fuzz_support.hpp"
#include "jflow/client.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)jflow::parse_npy(jflow::fuzz::as_text(data, size), "fuzz.npy");
  } catch (const std::runtime_error&) {
  }
  return 0;
}
