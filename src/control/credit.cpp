#include "control/credit.hpp"

#include "base/text.hpp"
#include "jflow/codec.hpp"

namespace jflow::credit {

Report read_report(const zmq::message_t& kind, const zmq::message_t& value) {
  const std::string_view name(kind.data<char>(), kind.size());
  const std::string_view text(value.data<char>(), value.size());
  if (name == kDone) return {Report::Kind::done, 0, text};
  if (name != kCredit) {
    throw DecodeError("unknown report '" + std::string(name) + "' (expected credit or done)");
  }
  const std::optional<std::int64_t> count = parse_integer<std::int64_t>(text);
  if (!count || *count < 0) {
    throw DecodeError("credit '" + std::string(text) + "' is not a count of requests");
  }
  return {Report::Kind::credit, *count, {}};
}

}  // namespace jflow::credit
