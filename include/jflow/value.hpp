// Value: the small dynamic type used for document tags and request parameters.
// Scalars only, so every value maps to one msgpack scalar and back without surprises.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace jflow {

using Value = std::variant<std::monostate, bool, std::int64_t, double, std::string>;
using ValueMap = std::map<std::string, Value, std::less<>>;

}  // namespace jflow
