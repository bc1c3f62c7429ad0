// PeaOutputRelay (src/flow/pea_output_relay.hpp): what is written into a pea's pipe comes out of
// the logger line by line, wrapped as that pea's lines, a jflow line kept; a last line without a
// break, a very long line and many pipes at once lose nothing; destroying the relay drains what
// the pipes still hold.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "base/log_line.hpp"
#include "flow/pea_output_relay.hpp"
#include "support/captured_log.hpp"

using namespace jflow;
using nlohmann::json;

namespace {

void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    REQUIRE(n > 0);
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

TEST_CASE("pea output relay: lines wrapped per pea, jflow lines kept, the unended last line too",
          "[flow][log]") {
  test::CapturedLog captured("relay-json", {LogLevel::info, LogFormat::json});
  const std::string own =
      format_log_line(LogFormat::json, {1796229275120, LogLevel::warn, "a", "slow", {}, {}});
  {
    detail::PeaOutputRelay relay;
    const int a = relay.open_pipe("a");
    const int b = relay.open_pipe("b");
    write_all(a, "printf from a\n" + own + "half ");
    write_all(b, "from b\r\n");
    write_all(a, "a line\nno break at the end");
    ::close(a);
    ::close(b);
  }  // the relay drains both pipes before it goes
  const std::vector<std::string> lines = captured.lines();
  REQUIRE(lines.size() == 5);
  std::vector<std::string> from_a, from_b;
  for (const std::string& line : lines) {
    INFO(line);
    const json parsed = json::parse(line);
    (parsed["pea"] == "a" ? from_a : from_b).push_back(parsed["msg"]);
    if (parsed["msg"] == "slow") CHECK(line + "\n" == own);  // kept as the pea wrote it
  }
  CHECK(from_a ==
        std::vector<std::string>{"printf from a", "slow", "half a line", "no break at the end"});
  CHECK(from_b == std::vector<std::string>{"from b"});
}

TEST_CASE("pea output relay: a line longer than its buffer is written in pieces, none lost",
          "[flow][log]") {
  test::CapturedLog captured("relay-long", {LogLevel::info, LogFormat::text});
  const std::string long_line(200 * 1024, 'x');
  {
    detail::PeaOutputRelay relay;
    const int fd = relay.open_pipe("chatty");
    // The relay reads while this writes: 200 KiB is more than a pipe holds.
    write_all(fd, long_line + "\nafter\n");
    ::close(fd);
  }
  std::size_t xs = 0;
  bool after = false;
  for (const std::string& line : captured.lines()) {
    const std::string_view prefix = " info  chatty: ";
    const std::size_t at = line.find(prefix);
    REQUIRE(at != std::string::npos);
    const std::string message = line.substr(at + prefix.size());
    if (message == "after") {
      after = true;
    } else {
      CHECK(message.find_first_not_of('x') == std::string::npos);
      xs += message.size();
    }
  }
  CHECK(xs == long_line.size());
  CHECK(after);
}
