#include "control/pea_end.hpp"

#include <cstring>

#include "control/control_channel.hpp"

namespace jflow {

std::string PeaEnd::describe() const {
  switch (kind) {
    case Kind::stopped:
      return "stopped";
    case Kind::exited:
      if (code == 0) return "exited";
      if (code == 127) return "could not be executed (exit 127)";  // execve failed in the child
      return "exited with code " + std::to_string(code);
    case Kind::killed:
      return "killed by signal " + std::to_string(code) + " (" + strsignal(code) + ")";
    case Kind::lost:
      break;
  }
  return detail;
}

std::string_view pea_end_token(PeaEnd::Kind kind) {
  switch (kind) {
    case PeaEnd::Kind::stopped:
      return "stopped";
    case PeaEnd::Kind::exited:
      return "exited";
    case PeaEnd::Kind::killed:
      return "killed";
    case PeaEnd::Kind::lost:
      break;
  }
  return "lost";
}

std::optional<PeaEnd::Kind> pea_end_kind(std::string_view token) {
  for (PeaEnd::Kind kind :
       {PeaEnd::Kind::stopped, PeaEnd::Kind::exited, PeaEnd::Kind::killed, PeaEnd::Kind::lost}) {
    if (pea_end_token(kind) == token) return kind;
  }
  return std::nullopt;
}

std::vector<std::pair<std::string, Value>> pea_end_fields(const PeaEnd& end) {
  return {{"how", std::string(pea_end_token(end.kind))},
          {"code", static_cast<std::int64_t>(end.code)},
          {"detail", end.detail}};
}

PeaEnd read_pea_end(const ControlMessage& message) {
  const std::string how = text_field(message, "how");
  const std::optional<PeaEnd::Kind> kind = pea_end_kind(how);
  if (!kind) return PeaEnd::lost("ended in a way this orchestrator does not know ('" + how + "')");
  return {*kind, static_cast<int>(integer_field_or(message, "code", 0)),
          text_field(message, "detail")};
}

}  // namespace jflow
