// `jflow client` against a server that has gone silent (issue 16, Found 9): it used to wait out
// its timeout one window at a time (100k requests at 3 s: about 80 minutes). One timeout with
// nothing heard from the server now ends the whole send, naming why.
#include <catch2/catch.hpp>

#include <zmq.hpp>

#include "support/jflow_child.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;
using jflow::test::JflowChild;
using jflow::test::TempDir;
using namespace std::chrono_literals;

TEST_CASE("jflow client: a silent server ends the whole send after one timeout", "[cli][client]") {
  TempDir dir("client-silent");
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += "line " + std::to_string(i) + "\n";
  const auto input = dir.write("lines.txt", lines);
  // A ROUTER that accepts connections and never answers: a server that hangs or was stopped.
  zmq::context_t context;
  zmq::socket_t silent(context, zmq::socket_type::router);
  silent.set(zmq::sockopt::linger, 0);
  silent.bind("tcp://127.0.0.1:*");
  const std::string endpoint = silent.get(zmq::sockopt::last_endpoint);
  // 1000 requests, 4 at a time, 300 ms each: 75 s one window after another.
  JflowChild client(
      {"client", endpoint, "--lines", input.string(), "--window", "4", "--timeout", "300ms"});
  REQUIRE(client.wait_for(" failed in ", 20s));
  const int code = client.finish();
  INFO(client.output());
  CHECK(code == 1);
  CHECK_THAT(client.output(),
             Contains("nothing at all from it since the request was sent: the server looks gone"));
  CHECK_THAT(client.output(), Contains("index: 4 requests (4 documents): 0 ok, 4 failed"));
}
