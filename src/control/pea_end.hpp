// PeaEnd: how a pea ended, as the orchestrator's PeaHandle sees it and as a daemon reports it for
// a pea on another host. Four kinds; the words a message needs are made from them (describe()),
// never compared. On the daemon link it travels as `exited {pea, how, code, detail}` with `how`
// one of the tokens "stopped", "exited", "killed", "lost" (control/daemon_protocol.hpp), read back
// once by read_pea_end().
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jflow/codec.hpp"

namespace jflow {

struct PeaEnd {
  enum class Kind {
    stopped,  // a thread pea whose loop returned cleanly
    exited,   // a pea (process, or thread with an error code) that ended by itself with `code`
    killed,   // a process ended by signal `code`
    lost,     // no longer known: never launched, waitpid failed, its host is gone (`detail`)
  };
  Kind kind = Kind::lost;
  int code = 0;        // exited: the exit code; killed: the signal
  std::string detail;  // lost: why

  static PeaEnd stopped() { return {Kind::stopped, 0, {}}; }
  static PeaEnd exited(int code) { return {Kind::exited, code, {}}; }
  static PeaEnd killed(int signal) { return {Kind::killed, signal, {}}; }
  static PeaEnd lost(std::string why) { return {Kind::lost, 0, std::move(why)}; }

  // Ended the way a pea does when told to stop (it says `bye` before it ends).
  bool clean() const { return kind == Kind::stopped || (kind == Kind::exited && code == 0); }
  // "stopped", "exited", "exited with code 1", "could not be executed (exit 127)",
  // "killed by signal 9 (Killed)", or the detail of a lost pea.
  std::string describe() const;
};

std::string_view pea_end_token(PeaEnd::Kind kind);
std::optional<PeaEnd::Kind> pea_end_kind(std::string_view token);

// The fields `how`, `code` and `detail` of a daemon's `exited` message.
std::vector<std::pair<std::string, Value>> pea_end_fields(const PeaEnd& end);
// Reads them back; a message that does not carry a known token is a lost pea whose detail says
// what the daemon sent instead.
PeaEnd read_pea_end(const ControlMessage& message);

}  // namespace jflow
