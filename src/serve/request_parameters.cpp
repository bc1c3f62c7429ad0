// check_request_parameters: top_k, the one parameter of the built-in executors.
#include "serve/request_parameters.hpp"

#include <variant>

namespace jflow::serve {

namespace {

std::string type_name(const Value& value) {
  switch (value.index()) {
    case 0:
      return "nil";
    case 1:
      return "bool";
    case 2:
      return "integer";
    case 3:
      return "float";
    default:
      return "string";
  }
}

}  // namespace

std::string check_request_parameters(const Request& request) {
  const auto top_k = request.parameters.find("top_k");
  if (top_k == request.parameters.end()) return "";
  const std::string expected =
      "parameters.top_k: expected an integer from 1 to " + std::to_string(kMaxTopK) + ", got ";
  const auto* number = std::get_if<std::int64_t>(&top_k->second);
  if (!number) return expected + type_name(top_k->second);
  if (*number < 1 || *number > kMaxTopK) return expected + std::to_string(*number);
  return "";
}

}  // namespace jflow::serve
