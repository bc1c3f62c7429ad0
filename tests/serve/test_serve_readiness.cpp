// Health that tells the truth: /livez answers while the process serves; /readyz (and /health)
// turn 503 naming the pod as soon as a pea it needs dies, and 200 again once it is back; a pod
// that gave up restarting makes /readyz, /status and `jflow ping` say so (ping exits 1).
#include <catch2/catch.hpp>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <csignal>

#include "jflow/client.hpp"
#include "serve/serve_support.hpp"
#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;
using namespace jflow;
using jflow::test::ServerThread;
using nlohmann::json;

namespace {

struct HttpAnswer {
  int status = 0;
  json body;
};

HttpAnswer get(httplib::Client& http, const std::string& path) {
  auto result = http.Get(path);
  REQUIRE(result);
  return {result->status, json::parse(result->body)};
}

// Asks `path` until its status is `status`, at most until `limit` has passed.
std::optional<HttpAnswer> wait_for_status(httplib::Client& http, const std::string& path,
                                          int status, Duration limit) {
  const SteadyTime give_up = steady_now() + limit;
  while (steady_now() < give_up) {
    HttpAnswer answer = get(http, path);
    if (answer.status == status) return answer;
  }
  return std::nullopt;
}

int pea_pid(httplib::Client& http, const std::string& pea) {
  const json status = get(http, "/status").body;
  for (const json& pod : status["pods"]) {
    for (const json& entry : pod["peas"]) {
      if (entry["name"] == pea) return entry.value("pid", 0);
    }
  }
  return 0;
}

}  // namespace

TEST_CASE("HTTP: /readyz is 503 naming a killed lone pea within a second and 200 once it is back",
          "[serve][http][readyz][restart]") {
  ServerThread served(FlowBuilder()
                          .add("front", "_pass", Runtime::process)
                          .add("solo", "_pass", Runtime::process)
                          .build());
  httplib::Client http(served.endpoints().http);
  CHECK(get(http, "/livez").status == 200);
  HttpAnswer ready = get(http, "/readyz");
  CHECK(ready.status == 200);
  CHECK(ready.body["ready"] == true);
  CHECK(get(http, "/health").status == 200);

  const int victim = pea_pid(http, "solo");
  REQUIRE(victim > 0);
  REQUIRE(::kill(victim, SIGKILL) == 0);
  auto down = wait_for_status(http, "/readyz", 503, std::chrono::seconds(1));
  REQUIRE(down);
  INFO(down->body.dump());
  CHECK(down->body["ready"] == false);
  REQUIRE(down->body["pods"].size() == 1);
  CHECK(down->body["pods"][0]["name"] == "solo");
  CHECK_THAT(down->body["pods"][0]["why"].get<std::string>(),
             Contains("pea 'solo' restarting") && Contains("signal 9"));
  CHECK_THAT(down->body["why"].get<std::string>(), Contains("pod 'solo' cannot serve"));
  CHECK(get(http, "/livez").status == 200);  // the process still serves: not a reason to kill it

  auto back = wait_for_status(http, "/readyz", 200, std::chrono::seconds(10));
  REQUIRE(back);
  const json status = get(http, "/status").body;
  CHECK(status["ready"] == true);
  CHECK(status["pods"][1]["peas"][0]["state"] == "running");
  CHECK(status["pods"][1]["peas"][0]["restarts"] == 1);
  CHECK(pea_pid(http, "solo") != victim);
  for (int i = 0; i < 20; ++i) {
    auto answer = http.Post("/index", R"({"data": ["after the restart"]})", "application/json");
    REQUIRE(answer);
    CHECK(answer->status == 200);
  }
}

TEST_CASE("a pod that gave up restarting: /readyz and /status and jflow ping say it cannot serve",
          "[serve][readyz][restart][cli]") {
  test::TempDir dir("readyz-failed");
  const std::string marker = (dir.path() / "configured").string();
  ServerThread served(
      parse_flow_yaml("version: 1\nplugins: [" + std::string(JFLOW_CRASH_PLUGIN) +
                          "]\npods:\n  - name: crashy\n    runtime: process\n    max_restarts: 1\n"
                          "    uses: '- !CrashDriver {marker: " +
                          marker + "}'\n",
                      "readyz.yml", test::no_env));
  httplib::Client http(served.endpoints().http);
  auto ok = test::run_jflow({"ping", served.endpoints().zmq});
  INFO(ok.output);
  CHECK(ok.exit_code == 0);

  REQUIRE(::kill(pea_pid(http, "crashy"), SIGKILL) == 0);
  const SteadyTime give_up = steady_now() + std::chrono::seconds(20);
  json status;
  while (steady_now() < give_up) {
    status = get(http, "/status").body;
    if (status["pods"][0]["peas"][0]["state"] == "failed") break;
  }
  INFO(status.dump());
  REQUIRE(status["pods"][0]["peas"][0]["state"] == "failed");
  CHECK(status["ready"] == false);
  CHECK_THAT(status["pods"][0]["why"].get<std::string>(), Contains("max_restarts"));
  HttpAnswer readyz = get(http, "/readyz");
  CHECK(readyz.status == 503);
  CHECK(readyz.body["pods"][0]["name"] == "crashy");

  auto refused = test::run_jflow({"ping", served.endpoints().zmq});
  INFO(refused.output);
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.output, Contains("NOT READY") && Contains("pod 'crashy' cannot serve") &&
                                 Contains("max_restarts"));
  // Requests fail fast, naming the pea.
  auto answer = http.Post("/index", R"({"data": ["x"]})", "application/json");
  REQUIRE(answer);
  CHECK(answer->status == 500);
  CHECK_THAT(answer->body, Contains("pea 'crashy'"));
}
