// Running requests through a fault: part of the stream is answered, then something is taken away
// (a pea, a daemon, a host) and every request must still end — as ok, or as pea_lost.
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "support/test_support.hpp"

namespace jflow::test {

// Sends `count` requests; once a quarter are sent and at least 10 answered, `fault()` takes
// something away. Checks every request ended, as ok or pea_lost, some of each; returns the message
// of a lost one.
inline std::string run_through_fault(Flow& flow, int count, const std::function<void()>& fault) {
  int ended = 0, ok = 0, lost = 0, other = 0;
  std::string message;
  for (int i = 0; i < count; ++i) {
    flow.submit(test::text_request(std::to_string(i)), [&](Response&& response) {
      ++ended;
      if (response.ok()) {
        ++ok;
      } else if (response.status().code == StatusCode::pea_lost) {
        ++lost;
        message = response.status().message;
      } else {
        ++other;
      }
    });
    if (i == count / 4) {
      REQUIRE(test::poll_until(
          flow, [&] { return ok >= 10; }, std::chrono::seconds(10)));
      fault();
    }
  }
  REQUIRE(test::poll_until(
      flow, [&] { return ended == count; }, std::chrono::seconds(20)));
  CHECK(lost > 0);
  CHECK(other == 0);
  CHECK(ok + lost == count);
  return message;
}

}  // namespace jflow::test
