// The parameters of a request the server knows the meaning of, checked where the request enters
// (issue 16: top_k 0, -1, "3" or 2^62 must be a bad_request naming the field, not an error from
// deep inside a pod). Parameters the server does not know pass untouched: drivers define them.
#pragma once

#include <cstdint>
#include <string>

#include "jflow/request.hpp"

namespace jflow::serve {

// The largest top_k a request may ask for: more matches than any reply should carry.
inline constexpr std::int64_t kMaxTopK = 100'000;

// Why the request's parameters are refused ("parameters.top_k: ..."), or "" when they are fine.
std::string check_request_parameters(const Request& request);

}  // namespace jflow::serve
