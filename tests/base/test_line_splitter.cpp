#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/line_splitter.hpp"

using jflow::LineSplitter;

namespace {

struct Collected {
  std::vector<std::string> lines;
  void operator()(std::string_view line) { lines.emplace_back(line); }
};

}  // namespace

TEST_CASE("LineSplitter cuts lines across pieces and keeps the rest for later",
          "[base][line-splitter]") {
  LineSplitter splitter;
  Collected out;
  splitter.feed("first\nsec", std::ref(out));
  CHECK(out.lines == std::vector<std::string>{"first"});
  splitter.feed("ond\n\nthird", std::ref(out));
  CHECK(out.lines == std::vector<std::string>{"first", "second", ""});
  splitter.finish(std::ref(out));
  CHECK(out.lines == std::vector<std::string>{"first", "second", "", "third"});
  splitter.finish(std::ref(out));  // nothing left: nothing more
  CHECK(out.lines.size() == 4);
}

TEST_CASE("LineSplitter passes a line longer than its cap on in pieces of the cap",
          "[base][line-splitter]") {
  LineSplitter splitter(4);
  Collected out;
  splitter.feed("abcdefghij", std::ref(out));  // no newline: two full pieces, "ij" kept
  CHECK(out.lines == std::vector<std::string>{"abcd", "efgh"});
  splitter.feed("\nwxyz\n", std::ref(out));  // exactly the cap, then its newline
  CHECK(out.lines == std::vector<std::string>{"abcd", "efgh", "ij", "wxyz"});
  splitter.feed(std::string(1, '\0') + "\n", std::ref(out));  // bytes are bytes
  CHECK(out.lines.back() == std::string(1, '\0'));
  splitter.finish(std::ref(out));
  CHECK(out.lines.size() == 5);
}
