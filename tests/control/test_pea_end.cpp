// How a pea ended travels the daemon link as a token and comes back as the same PeaEnd.
#include <catch2/catch.hpp>

#include "control/pea_end.hpp"

using namespace jflow;

namespace {

PeaEnd through_the_wire(const PeaEnd& end) {
  ControlMessage message;
  message.command = "exited";
  for (auto& [key, value] : pea_end_fields(end)) message.fields[key] = value;
  return read_pea_end(decode_control(encode_control(message)));
}

}  // namespace

TEST_CASE("a PeaEnd crosses the daemon link unchanged, and reads as words", "[control]") {
  const PeaEnd ends[] = {PeaEnd::stopped(),   PeaEnd::exited(0), PeaEnd::exited(2),
                         PeaEnd::exited(127), PeaEnd::killed(9), PeaEnd::lost("host gone")};
  const char* words[] = {"stopped",
                         "exited",
                         "exited with code 2",
                         "could not be executed (exit 127)",
                         "killed by signal 9 (Killed)",
                         "host gone"};
  for (std::size_t i = 0; i < std::size(ends); ++i) {
    const PeaEnd back = through_the_wire(ends[i]);
    CHECK(back.kind == ends[i].kind);
    CHECK(back.code == ends[i].code);
    CHECK(back.describe() == words[i]);
  }
}

TEST_CASE("only a pea that stopped or exited 0 ended cleanly", "[control]") {
  CHECK(PeaEnd::stopped().clean());
  CHECK(PeaEnd::exited(0).clean());
  CHECK_FALSE(PeaEnd::exited(1).clean());
  CHECK_FALSE(PeaEnd::killed(15).clean());
  CHECK_FALSE(PeaEnd::lost("?").clean());
}

TEST_CASE("an end the orchestrator does not know is a lost pea naming what came", "[control]") {
  ControlMessage message;
  message.command = "exited";
  message.fields["how"] = std::string("vanished");
  const PeaEnd end = read_pea_end(message);
  CHECK(end.kind == PeaEnd::Kind::lost);
  CHECK(end.describe() == "ended in a way this orchestrator does not know ('vanished')");
  CHECK(read_pea_end(ControlMessage{}).kind == PeaEnd::Kind::lost);  // no `how` at all
}
