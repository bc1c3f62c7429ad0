// The traceparent: what is accepted and refused (and why), fresh ones, and the envelope's
// optional seventh field, with envelopes from before it still decoding.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <set>
#include <vector>

#include "jflow/codec.hpp"
#include "support/test_support.hpp"
#include "wire/traceparent.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

namespace {
constexpr const char* kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
}

TEST_CASE("traceparent: a valid one is accepted, each malformed one says why", "[wire][trace]") {
  CHECK_FALSE(traceparent_problem(kValid));
  CHECK(trace_id(kValid) == "4bf92f3577b34da6a3ce929d0e0e4736");
  const auto problem = [](const std::string& text) {
    return traceparent_problem(text).value_or("");
  };
  CHECK_THAT(problem(""), Contains("malformed"));
  CHECK_THAT(problem("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"),
             Contains("malformed"));
  CHECK_THAT(problem("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
             Contains("malformed"));
  CHECK_THAT(problem("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"),
             Contains("not lowercase hex"));
  CHECK_THAT(problem("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
             Contains("unsupported version 'ff'"));
  CHECK_THAT(problem("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
             Contains("trace id is all zeros"));
  CHECK_THAT(problem("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
             Contains("parent id is all zeros"));
}

TEST_CASE("traceparent: fresh ones are valid and differ", "[wire][trace]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string made = new_traceparent();
    INFO(made);
    CHECK_FALSE(traceparent_problem(made));
    seen.insert(made);
  }
  CHECK(seen.size() == 100);
  // Every digit of both ids is random: no position keeps one value over 100 ids (a hex writer
  // that skipped or repeated a position would leave it fixed).
  for (std::size_t at = 3; at < 52; ++at) {
    if (at == 35) continue;  // the '-' between trace id and parent id
    std::set<char> digits;
    for (const std::string& made : seen) digits.insert(made[at]);
    INFO("position " << at);
    CHECK(digits.size() > 1);
  }
}

TEST_CASE("envelope: the traceparent round-trips - a 6-field envelope still decodes",
          "[wire][trace][codec]") {
  Envelope envelope;
  envelope.request_id = "r1";
  envelope.traceparent = kValid;
  const std::string bytes = encode_envelope(envelope);
  CHECK(static_cast<unsigned char>(bytes[0]) == 0x97);
  CHECK(decode_envelope(bytes) == envelope);

  // Without one the envelope is the 6-field array of before (PROTOCOL.md's 13-byte example).
  const std::string old("\x96\x01\xa2r1\x01\x00\x94\x00\xa0\xa0\xa0\x90", 13);
  Envelope plain;
  plain.request_id = "r1";
  plain.type = RequestType::search;
  CHECK(encode_envelope(plain) == old);
  const Envelope decoded = decode_envelope(old);
  CHECK(decoded.traceparent.empty());
  CHECK(decoded.request_id == "r1");

  // The seventh field must be text.
  std::string bad = bytes.substr(0, bytes.size() - 57) + "\x05";
  bad[0] = '\x97';
  CHECK_THROWS_WITH(decode_envelope(bad), Contains("envelope.traceparent: expected str"));
}

TEST_CASE("the fuzz corpus's traced envelope decodes", "[wire][trace][codec]") {
  std::ifstream file(test::source_path("fuzz/corpus/envelope/traced"), std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(file), {}};
  REQUIRE_FALSE(bytes.empty());
  CHECK(decode_envelope(bytes).traceparent == kValid);
}

TEST_CASE("an inline traceparent holds an accepted one and refuses the rest", "[trace]") {
  const std::string text = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  CHECK(jflow::InlineTraceparent(text).view() == text);
  CHECK(jflow::InlineTraceparent().empty());
  CHECK(jflow::InlineTraceparent().view().empty());
  const jflow::InlineTraceparent fresh = jflow::InlineTraceparent::fresh();
  CHECK_FALSE(jflow::traceparent_problem(fresh.view()));
  CHECK(fresh.view() != jflow::InlineTraceparent::fresh().view());
  for (const std::string& bad :
       std::vector<std::string>{std::string(), text.substr(1), text + "0",
                                "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"}) {
    INFO(bad);
    CHECK_THROWS_AS(jflow::InlineTraceparent(bad), std::invalid_argument);
  }
}
