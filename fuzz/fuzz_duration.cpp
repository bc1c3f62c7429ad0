// Durations as YAML and the command line write them. A parsed duration must print and parse back
// to a non-negative value.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "jflow/duration.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = jflow::parse_duration(jflow::fuzz::as_text(data, size));
  if (!parsed) return 0;
  if (parsed->count() < 0) std::abort();
  const auto again = jflow::parse_duration(jflow::format_duration(*parsed));
  if (!again || again->count() < 0) std::abort();
  return 0;
}
