// Errors end requests explicitly: a driver exception, a passed deadline, a pea that cannot start.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "support/test_support.hpp"

using namespace jflow;
using Catch::Matchers::Contains;

TEST_CASE(
    "a driver exception becomes status ERROR naming pod and driver - the next request is fine",
    "[integration][errors]") {
  auto runtime = GENERATE(Runtime::thread, Runtime::process);
  FlowSpec spec = FlowBuilder()
                      .add("before")
                      .add("flaky", "- !FailDriver {message: disk on fire, every: 2}", runtime)
                      .add("after")
                      .build();
  Flow flow(spec, test::test_options());
  flow.start();
  Response first = flow.call(test::text_request("1"));
  Response second = flow.call(test::text_request("2"));
  Response third = flow.call(test::text_request("3"));
  CHECK(first.ok());
  CHECK_FALSE(second.ok());
  CHECK(second.status().code == StatusCode::error);
  CHECK(second.status().pod == "flaky");
  CHECK(second.status().executor == "FailDriver");
  CHECK(second.status().message == "disk on fire");
  // The error travelled on through the rest of the flow to the caller.
  CHECK(second.envelope.routes.size() == 3);
  CHECK(third.ok());
  CHECK(third.request.docs.at(0).text == "3");
  flow.close();
}

TEST_CASE("a request past its deadline ends with a timeout error, not silence",
          "[integration][errors]") {
  // The pod holds the request for 30s; its deadline is 200ms.
  Flow flow(FlowBuilder().add("slow", "- !WaitDriver {duration: 30s}").build(),
            test::test_options());
  flow.start();
  Response r = flow.call(test::text_request("x"), std::chrono::milliseconds(200));
  CHECK(r.status().code == StatusCode::timeout);
  CHECK_THAT(r.status().message, Contains("200ms"));
  // Ended by the gateway at the deadline, not by the pod after its wait (that reply would name
  // pod 'slow' and come 30s later).
  CHECK(r.status().pod == "gateway");
  // Closing does not wait for the abandoned request's wait: the pea stops when told, so no pea
  // has to be killed at the end of the stop grace.
  flow.close();
  CHECK(flow.close_problems().empty());
}

TEST_CASE("the spec's request_timeout applies when a request sets none", "[integration][errors]") {
  FlowSpec spec = FlowBuilder()
                      .request_timeout(std::chrono::milliseconds(150))
                      .add("slow", "- !WaitDriver {duration: 2s}")
                      .build();
  Flow flow(spec, test::test_options());
  flow.start();
  Response r = flow.call(test::text_request("x"));
  CHECK(r.status().code == StatusCode::timeout);
  flow.close();
}

TEST_CASE("a pea whose process cannot run fails start, naming the pea", "[integration][errors]") {
  FlowOptions options = test::test_options();
  options.jflow_executable = "/nonexistent/jflow";
  Flow flow(FlowBuilder().add("ghost", "_pass", Runtime::process).build(), options);
  REQUIRE_THROWS_WITH(flow.start(), Contains("pea 'ghost'") && Contains("could not be executed"));
}

TEST_CASE("a pea that never becomes ready fails start within timeout_ready",
          "[integration][errors]") {
  // A stand-in executable that ignores its arguments and never speaks the control protocol.
  auto script = std::filesystem::temp_directory_path() /
                ("jflow-silent-" + std::to_string(::getpid()) + ".sh");
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nexec sleep 30\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  FlowOptions options = test::test_options();
  options.jflow_executable = script;
  Flow flow(FlowBuilder()
                .timeout_ready(std::chrono::milliseconds(300))
                .add("mute", "_pass", Runtime::process)
                .build(),
            options);
  // The stand-in sleeps 30s; the start ends at timeout_ready, and says so (not "exited").
  REQUIRE_THROWS_WITH(flow.start(), Contains("pea 'mute'") && Contains("within 300ms"));
  std::filesystem::remove(script);
}

TEST_CASE("a pea whose drivers cannot be built fails start with the reason",
          "[integration][errors]") {
  FlowSpec spec = FlowBuilder().add("p").build();
  spec.pods[0].drivers.by_type[RequestType::index] = {{"NoSuchDriver", "{}", {}}};
  Flow flow(spec, test::test_options());
  REQUIRE_THROWS_WITH(flow.start(),
                      Contains("pea 'p' failed to start") && Contains("NoSuchDriver"));
}

TEST_CASE("misuse gets an error: submit before start and after close", "[integration][errors]") {
  Flow flow(FlowBuilder().add("p").build(), test::test_options());
  CHECK_THROWS_WITH(flow.submit(test::text_request("x"), nullptr), Contains("not started"));
  flow.start();
  flow.close();
  CHECK_THROWS_WITH(flow.submit(test::text_request("x"), nullptr), Contains("closed"));
  CHECK_THROWS_WITH(flow.start(), Contains("already"));
}

TEST_CASE("an executor that cannot save its state is a close problem, naming the pea",
          "[integration][errors][executors]") {
  const Runtime runtime = GENERATE(Runtime::thread, Runtime::process);
  INFO("runtime " << runtime_name(runtime));
  // /dev/null is a file, so no workspace folder can be made under it: VectorIndexer's close()
  // fails after the requests were answered.
  FlowSpec spec = FlowBuilder()
                      .workspace("/dev/null/jflow-workspace")
                      .add("encode", "FeatureHashEncoder", runtime)
                      .add("vec", "VectorIndexer", runtime)
                      .build();
  Flow flow(spec, test::test_options());
  flow.start();
  REQUIRE(flow.call(test::text_request("In the beginning was the Word.")).ok());
  CHECK(flow.close_problems().empty());
  flow.close();
  REQUIRE(flow.close_problems().size() == 1);
  CHECK_THAT(flow.close_problems()[0],
             Contains("pea 'vec': executor VectorIndexer could not save its state"));
}

TEST_CASE("a clean close has no close problems", "[integration][errors]") {
  Flow flow(FlowBuilder().add("a", "_pass", Runtime::process).add("b").build(),
            test::test_options());
  flow.start();
  REQUIRE(flow.call(test::text_request("x")).ok());
  flow.close();
  CHECK(flow.close_problems().empty());
}
