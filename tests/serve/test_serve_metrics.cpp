// GET /metrics on a served flow, and `jflow run --metrics`: the counts match the requests sent,
// promtool accepts the text, and a bad --metrics address is a clear usage error.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include <httplib.h>

#include "serve/serve_support.hpp"
#include "support/prometheus_text.hpp"
#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"

using namespace jflow;
using jflow::test::JflowProcess;
using jflow::test::ServerThread;
using jflow::test::TempDir;

namespace {

constexpr auto kLimit = std::chrono::seconds(30);

std::string scrape(const std::string& base, const std::string& path = "/metrics") {
  httplib::Client http(base);
  http.set_read_timeout(std::chrono::seconds(20));
  auto result = http.Get(path);
  REQUIRE(result);
  CHECK(result->status == 200);
  CHECK(result->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
  return result->body;
}

// Opens the write end of a FIFO once its reader has opened it (ENXIO until then), or -1 after
// the limit.
int open_fifo_writer(const std::filesystem::path& fifo, Duration limit) {
  const SteadyTime until = steady_now() + limit;
  for (;;) {
    const int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd >= 0 || errno != ENXIO || steady_now() >= until) return fd;
    ::poll(nullptr, 0, 10);  // the reader is a process still starting: nothing to wait on
  }
}

}  // namespace

TEST_CASE("GET /metrics on a served flow counts the HTTP requests - promtool accepts it",
          "[serve][http][metrics]") {
  ServerThread served(FlowBuilder()
                          .transport(Transport::inproc)
                          .add("a")
                          .add("b", "- !FailDriver {message: no, every: 2}")
                          .build());
  httplib::Client http(served.endpoints().http);
  http.set_read_timeout(std::chrono::seconds(20));
  int ok = 0, failed = 0;
  for (int i = 0; i < 6; ++i) {
    auto result = http.Post("/index", R"({"data": ["x"]})", "application/json");
    REQUIRE(result);
    (result->status == 200 ? ok : failed) += 1;
  }
  REQUIRE(ok == 3);
  REQUIRE(failed == 3);
  const std::string text = scrape(served.endpoints().http);
  INFO(text);
  CHECK(test::sample_value(text, "jflow_requests_total",
                           R"(flow="flow",type="index",status="ok")") == ok);
  CHECK(test::sample_value(text, "jflow_requests_total",
                           R"(flow="flow",type="index",status="error")") == failed);
  CHECK(test::sample_value(text, "jflow_pea_requests_total",
                           R"(flow="flow",pod="b",pea="b",type="index",status="error")") == failed);
  CHECK(test::sample_value(text, "jflow_pea_requests_total",
                           R"(flow="flow",pod="a",pea="a",type="index",status="ok")") ==
        ok + failed);
  REQUIRE(std::filesystem::exists(test::kPromtool));  // scripts/setup.sh installs prometheus
  const test::PromtoolResult checked = test::promtool_check(text);
  INFO(checked.output);
  CHECK(checked.exit_code == 0);

  auto posted = http.Post("/metrics", "", "text/plain");
  REQUIRE(posted);
  CHECK(posted->status == 405);
}

TEST_CASE("jflow run --metrics HOST:0 serves the run's metrics while it lasts",
          "[serve][binary][metrics]") {
  TempDir dir("run-metrics");
  const std::string flow = dir.write("counted.yml",
                                     "version: 1\ntransport: ipc\npods:\n"
                                     "  - name: a\n  - name: b\n")
                               .string();
  const std::filesystem::path fifo = dir.path() / "input";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  JflowProcess run({"run", flow, "--input", fifo.string(), "--metrics", "127.0.0.1:0"});
  const int writer = open_fifo_writer(fifo, kLimit);
  REQUIRE(writer >= 0);
  const std::string lines = "one\ntwo\nthree\n";
  REQUIRE(::write(writer, lines.data(), lines.size()) == ssize_t(lines.size()));
  const auto url = run.wait_line("metrics http://127.0.0.1:", kLimit);
  REQUIRE(url);
  REQUIRE(run.wait_line("[3] ok", kLimit));  // every reply arrived: the counts are final
  const std::string base = "http://127.0.0.1:" + url->substr(0, url->find('/'));
  const std::string text = scrape(base);
  INFO(text);
  CHECK(test::sample_value(text, "jflow_requests_total",
                           R"(flow="counted",type="index",status="ok")") == 3);
  CHECK(test::sample_value(text, "jflow_pea_requests_total",
                           R"(flow="counted",pod="b",pea="b",type="index",status="ok")") == 3);
  ::close(writer);  // end of input: the run ends
  CHECK(run.wait_exit(kLimit) == 0);
}

TEST_CASE("jflow run --metrics: a bad or busy address is a clear error",
          "[serve][binary][metrics]") {
  TempDir dir("metrics-address");
  const std::string flow =
      dir.write("one.yml", "version: 1\ntransport: inproc\npods:\n  - name: a\n").string();
  const std::string input = dir.write("input.txt", "x\n").string();
  auto bad = test::run_jflow({"run", flow, "--input", input, "--metrics", "localhost"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.output,
             Catch::Matchers::Contains("--metrics: expected HOST:PORT (or off), got 'localhost'"));
  auto port = test::run_jflow({"run", flow, "--input", input, "--metrics", "127.0.0.1:99999"});
  CHECK(port.exit_code == 2);
  CHECK_THAT(port.output, Catch::Matchers::Contains("--metrics: expected HOST:PORT"));
  auto served = test::run_jflow({"run", flow, "--serve", "--metrics", "127.0.0.1:0"});
  CHECK(served.exit_code == 2);
  CHECK_THAT(served.output, Catch::Matchers::Contains("--metrics is for a run that is not served"));

  // A port another socket holds: the run fails naming --metrics and the address.
  const int holder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(holder >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(holder, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(holder, 1) == 0);
  socklen_t size = sizeof address;
  REQUIRE(::getsockname(holder, reinterpret_cast<sockaddr*>(&address), &size) == 0);
  const std::string busy = "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  auto taken = test::run_jflow({"run", flow, "--input", input, "--metrics", busy});
  ::close(holder);
  CHECK(taken.exit_code == 1);
  CHECK_THAT(taken.output, Catch::Matchers::Contains("--metrics: cannot listen on '" + busy + "'"));
}
