// The served flow through the `jflow` binary: run --serve with process peas, SIGTERM while
// requests are in flight, jflow ping, jflow client with lines and .npy, a flow without input.
#include <catch2/catch.hpp>

#include <csignal>

#include <zmq.hpp>

#include "jflow/client.hpp"
#include "serve/serve_support.hpp"

using Catch::Matchers::Contains;
using namespace jflow;
using jflow::test::JflowProcess;
using jflow::test::ServerThread;
using jflow::test::TempDir;

namespace {

constexpr auto kStartLimit = std::chrono::seconds(30);
const std::vector<std::string> kAnyPorts{"--zmq", "tcp://127.0.0.1:*", "--http", "127.0.0.1:0"};

std::vector<std::string> serve_args(const std::string& flow) {
  std::vector<std::string> args{"run", flow, "--serve"};
  args.insert(args.end(), kAnyPorts.begin(), kAnyPorts.end());
  return args;
}

std::string unused_endpoint() {
  zmq::context_t context;
  zmq::socket_t probe(context, zmq::socket_type::router);
  probe.set(zmq::sockopt::linger, 0);
  probe.bind("tcp://127.0.0.1:*");
  return probe.get(zmq::sockopt::last_endpoint);
}

}  // namespace

TEST_CASE("jflow run --serve: ping, then SIGTERM with requests in flight drains and exits 0",
          "[serve][binary][drain]") {
  TempDir dir;
  const std::string flow =
      dir.write("slow.yml",
                "version: 1\ntransport: ipc\npods:\n"
                "  - name: slow\n    uses: \"- !WaitDriver {duration: 300ms}\"\n"
                "    runtime: process\n"
                "  - name: pass\n");
  JflowProcess server(serve_args(flow));
  const auto zmq_endpoint = server.wait_line("serving zmq ", kStartLimit);
  REQUIRE(zmq_endpoint);
  const auto http_endpoint = server.wait_line("serving http http://127.0.0.1:", kStartLimit);
  REQUIRE(http_endpoint);

  JflowProcess ping({"ping", *zmq_endpoint});
  CHECK(ping.wait_exit(std::chrono::seconds(10)) == 0);
  CHECK_THAT(ping.output(), Contains(*zmq_endpoint + ": ok (running, 2 pods"));

  Client client(*zmq_endpoint);
  int ok = 0, failed = 0;
  for (int i = 0; i < 20; ++i) {
    client.submit(test::text_request("in flight " + std::to_string(i)),
                  [&](Response&& r) { r.ok() ? ++ok : ++failed; });
  }
  PingResult accepted = client.ping();  // behind the twenty on the same connection
  REQUIRE(accepted.ok);
  CHECK(accepted.in_flight == 20);

  REQUIRE(::kill(server.pid(), SIGTERM) == 0);
  client.wait_all();
  CHECK(ok == 20);
  CHECK(failed == 0);
  CHECK(server.wait_exit(std::chrono::seconds(20)) == 0);
  CHECK_THAT(server.output(), Contains("stopped: served 22 requests (0 failed)"));
}

TEST_CASE("a flow without input is served - Ctrl-C to the process group drains and exits 0",
          "[serve][binary][drain]") {
  // The terminal sends SIGINT to every process of the job, process peas included: they ignore it
  // (the server starts them so) and the server drains the requests they hold before it stops them.
  TempDir dir;
  const std::string flow =
      dir.write("noinput.yml",
                "version: 1\ntransport: ipc\npods:\n"
                "  - name: slow\n    uses: \"- !WaitDriver {duration: 300ms}\"\n"
                "    runtime: process\n");
  JflowProcess server({"run", flow, "--zmq", "tcp://127.0.0.1:*", "--http", "off"}, true);
  const auto endpoint = server.wait_line("serving zmq ", kStartLimit);
  REQUIRE(endpoint);
  Client client(*endpoint);
  int ok = 0, failed = 0;
  for (int i = 0; i < 5; ++i) {
    client.submit(test::text_request("held " + std::to_string(i)),
                  [&](Response&& r) { r.ok() ? ++ok : ++failed; });
  }
  REQUIRE(client.ping().in_flight == 5);
  REQUIRE(::kill(-server.pid(), SIGINT) == 0);
  client.wait_all();
  CHECK(ok == 5);
  CHECK(failed == 0);
  CHECK(server.wait_exit(std::chrono::seconds(20)) == 0);
  CHECK_THAT(server.output(), !Contains("serving http"));
  CHECK_THAT(server.output(), Contains("stopped: served 6 requests (0 failed)"));
}

TEST_CASE("jflow ping: nothing listening exits 1 within the timeout", "[serve][binary]") {
  const std::string endpoint = unused_endpoint();
  JflowProcess ping({"ping", endpoint, "--timeout", "300ms"});
  CHECK(ping.wait_exit(std::chrono::seconds(10)) == 1);
  // It gave up at the --timeout it was given, and says so.
  CHECK_THAT(ping.output(), Contains(endpoint + ": no reply") && Contains("within 300ms"));

  JflowProcess bad({"ping", endpoint, "--timeout", "soon"});
  CHECK(bad.wait_exit(std::chrono::seconds(10)) == 2);
}

TEST_CASE("jflow client: lines and .npy rows to a served flow", "[serve][binary][client]") {
  ServerThread served(test::one_pod_flow("pass"));
  const std::string& endpoint = served.endpoints().zmq;
  TempDir dir;

  SECTION("lines") {
    const std::string lines = dir.write("lines.txt", "first line\n\nsecond line\nthird line\n");
    JflowProcess client({"client", endpoint, "--lines", lines});
    CHECK(client.wait_exit(std::chrono::seconds(20)) == 0);
    CHECK_THAT(client.output(), Contains("[1] ok index"));
    CHECK_THAT(client.output(), Contains("second line"));
    CHECK_THAT(client.output(), Contains("index: 3 requests (3 documents): 3 ok, 0 failed"));
  }
  SECTION("lines from stdin, searched") {
    JflowProcess client({"client", endpoint, "--lines", "-", "--type", "search", "--top-k", "2"},
                        false, std::string("from stdin\r\n\nanother\n"));
    CHECK(client.wait_exit(std::chrono::seconds(20)) == 0);
    CHECK_THAT(client.output(), Contains("query: from stdin"));
    CHECK_THAT(client.output(), Contains("search: 2 requests (2 documents): 2 ok, 0 failed"));
  }
  SECTION("files, their bytes as documents") {
    const std::string a = dir.write("a.bin", std::string("\x00\x01\x02", 3));
    const std::string b = dir.write("b.txt", "bee");
    JflowProcess client({"client", endpoint, "--files", a, b});
    CHECK(client.wait_exit(std::chrono::seconds(20)) == 0);
    CHECK_THAT(client.output(), Contains("index: 2 requests (2 documents): 2 ok, 0 failed"));
  }
  SECTION("npy rows, two per request, quiet") {
    std::vector<float> values(12);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i);
    const std::string npy = dir.write(
        "rows.npy", test::npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }",
                                    test::float_bytes(values)));
    JflowProcess client(
        {"client", endpoint, "--npy", npy, "--request-size", "2", "--type", "search", "--quiet"});
    CHECK(client.wait_exit(std::chrono::seconds(20)) == 0);
    CHECK_THAT(client.output(), Contains("search: 2 requests (4 documents): 2 ok, 0 failed"));
    CHECK_THAT(client.output(), !Contains("[1]"));
  }
  SECTION("a malformed .npy is a usage error") {
    const std::string npy = dir.write("bad.npy", "NUMPY? no");
    JflowProcess client({"client", endpoint, "--npy", npy});
    CHECK(client.wait_exit(std::chrono::seconds(20)) == 2);
    CHECK_THAT(client.output(), Contains("bad magic"));
  }
  SECTION("nothing to send is a usage error") {
    JflowProcess client({"client", endpoint});
    CHECK(client.wait_exit(std::chrono::seconds(20)) == 2);
    CHECK_THAT(client.output(), Contains("--lines"));
  }
}

TEST_CASE("jflow client: failed requests print pod and reason and exit 1",
          "[serve][binary][client]") {
  ServerThread served(test::one_pod_flow("boom", "- !FailDriver {message: kaput}"));
  TempDir dir;
  const std::string lines = dir.write("lines.txt", "one\ntwo\n");
  JflowProcess client({"client", served.endpoints().zmq, "--lines", lines});
  CHECK(client.wait_exit(std::chrono::seconds(20)) == 1);
  CHECK_THAT(client.output(), Contains("pod=boom"));
  CHECK_THAT(client.output(), Contains("kaput"));
  CHECK_THAT(client.output(), Contains("2 requests (2 documents): 0 ok, 2 failed"));
}

TEST_CASE("jflow run --serve: a malformed or taken address is an error, not a hang",
          "[serve][binary][bad-input]") {
  TempDir dir;
  const std::string flow =
      dir.write("a.yml", "version: 1\ntransport: inproc\npods:\n  - name: a\n");
  JflowProcess malformed({"run", flow, "--serve", "--http", "localhost"});
  CHECK(malformed.wait_exit(std::chrono::seconds(20)) == 2);
  CHECK_THAT(malformed.output(), Contains("--http: expected HOST:PORT"));

  zmq::context_t context;
  zmq::socket_t taken(context, zmq::socket_type::router);
  taken.set(zmq::sockopt::linger, 0);
  taken.bind("tcp://127.0.0.1:*");
  const std::string endpoint = taken.get(zmq::sockopt::last_endpoint);
  JflowProcess busy({"run", flow, "--serve", "--zmq", endpoint, "--http", "off"});
  CHECK(busy.wait_exit(std::chrono::seconds(20)) == 1);
  CHECK_THAT(busy.output(), Contains("cannot bind the ZeroMQ endpoint '" + endpoint + "'"));
}
