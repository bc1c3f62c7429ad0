// What a replica tells its head: credit and done, read back exactly, and anything else refused.
#include <catch2/catch.hpp>

#include "control/credit.hpp"
#include "jflow/codec.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

namespace {

credit::Report read(const std::string& kind, const std::string& value) {
  return credit::read_report(zmq::message_t(kind), zmq::message_t(value));
}

}  // namespace

TEST_CASE("a head reads the credit and done messages its replicas send", "[control]") {
  credit::Frames granted = credit::credit_message(16);
  const credit::Report credit = credit::read_report(granted[0], granted[1]);
  CHECK(credit.kind == credit::Report::Kind::credit);
  CHECK(credit.credit == 16);

  credit::Frames done = credit::done_message("flow-7");
  const credit::Report report = credit::read_report(done[0], done[1]);
  CHECK(report.kind == credit::Report::Kind::done);
  CHECK(report.request_id == "flow-7");
}

TEST_CASE("a credit that is not a count, or a report of another kind, is refused", "[control]") {
  for (const std::string bad :
       {"", "abc", "-1", "16 ", " 16", "+16", "1e3", "99999999999999999999"}) {
    CHECK_THROWS_WITH(read("credit", bad), Contains("credit '" + bad + "' is not a count"));
  }
  CHECK_THROWS_WITH(read("thanks", "1"), Contains("unknown report 'thanks'"));
}
