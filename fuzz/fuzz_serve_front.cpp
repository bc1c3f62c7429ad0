// A whole multipart request on the served ZeroMQ front ([envelope | body] after the routing id),
// read as ZmqFront reads it. Input: frames as fuzz_support.hpp's split_frames() cuts them.
#include <cstdlib>

#include "fuzz_support.hpp"
#include "serve/front_request.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto frames = jflow::fuzz::split_frames(jflow::fuzz::as_text(data, size));
  const jflow::serve::FrontRequest front = jflow::serve::read_front_request(frames);
  // Every request is answered: either it is taken, or it is refused with a reason.
  if (!front.request && front.refusal.empty()) std::abort();
  return 0;
}
