// The client calls of Flow and AsyncFlow over real peas: request_size splits the input, prefetch
// bounds what is in flight (counted inside the pod), deadlines end requests through on_error,
// the lines / ndarray / files helpers carry their documents intact, a flow that closes ends what
// was never sent, and misuse is refused with an error.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "api/api_support.hpp"
#include "jflow/async_flow.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

using namespace jflow;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

using jflow::test::TempDir;

namespace {

std::vector<Document> numbered_docs(int count) {
  std::vector<Document> docs;
  for (int i = 0; i < count; ++i) {
    Document doc;
    doc.id = "d" + std::to_string(i);
    doc.text = "text " + std::to_string(i);
    docs.push_back(std::move(doc));
  }
  return docs;
}

}  // namespace

TEST_CASE("request_size splits N documents into ceil(N/size) requests - each comes back once",
          "[api]") {
  Flow flow(FlowBuilder().add("a").add("b").build(), test::test_options());
  flow.start();
  auto size = GENERATE(1u, 4u, 25u, 100u);
  RequestOptions options;
  options.request_size = size;
  std::vector<Response> responses = flow.index(numbered_docs(25), options);
  CHECK(responses.size() == (25 + size - 1) / size);
  std::map<std::string, int> seen;
  for (const Response& r : responses) {
    REQUIRE(r.ok());
    CHECK(r.request.type == RequestType::index);
    CHECK(r.request.docs.size() <= size);
    for (const Document& doc : r.request.docs) ++seen[doc.id];
  }
  REQUIRE(seen.size() == 25);
  for (const auto& [id, count] : seen) {
    INFO(id);
    CHECK(count == 1);
  }
  flow.close();
}

TEST_CASE("with prefetch P, never more than P requests are inside the pod", "[api]") {
  api_test::InsideCounter counter;
  DriverRegistry registry = api_test::counting_drivers(counter);
  FlowOptions options = test::test_options();
  options.drivers = &registry;
  Flow flow(FlowBuilder(registry).add("counted", api_test::kCountedWait).build(), options);
  flow.start();

  SECTION("prefetch bounds the requests in flight, and uses all of them") {
    auto prefetch = GENERATE(1u, 3u);
    RequestOptions call;
    call.request_size = 1;
    call.prefetch = prefetch;
    int ok = 0;
    call.on_done = [&](const Response&) { ++ok; };
    CHECK(flow.index(numbered_docs(12), call).empty());  // callbacks took the responses
    CHECK(ok == 12);
    CHECK(counter.entered == 12);
    CHECK(counter.most == static_cast<int>(prefetch));
  }
  SECTION("without prefetch the same pod holds many at once (the count can see it)") {
    RequestOptions call;
    call.request_size = 1;
    CHECK(flow.index(numbered_docs(12), call).size() == 12);
    CHECK(counter.most > 3);
  }
  CHECK(counter.inside == 0);
  flow.close();
}

TEST_CASE("AsyncFlow: prefetch holds in an epoll loop, with two calls sharing max_in_flight",
          "[api][async]") {
  api_test::InsideCounter counter;
  DriverRegistry registry = api_test::counting_drivers(counter);
  FlowOptions options = test::test_options();
  options.drivers = &registry;
  options.max_in_flight = 4;  // both calls together: the second waits for room, then is resumed
  AsyncFlow flow(FlowBuilder(registry).add("counted", api_test::kCountedWait).build(), options);
  api_test::EpollHost host;
  reactor::EpollAttachment attached(host.epoll, flow);
  REQUIRE(api_test::start_in(host, attached, flow));

  int finished = 0;
  int done = 0;
  int most_in_flight = 0;  // seen by the client too, after each callback
  RequestOptions call;
  call.request_size = 2;
  call.prefetch = 3;
  call.on_done = [&](const Response& r) {
    done += static_cast<int>(r.request.docs.size());
    most_in_flight = std::max(most_in_flight, static_cast<int>(flow.in_flight()));
  };
  call.on_finished = [&] { ++finished; };
  flow.index(numbered_docs(20), call);
  flow.search(numbered_docs(20), call);
  CHECK(flow.in_flight() <= 4);
  REQUIRE(host.run(
      attached, [&] { return finished == 2; }, 30s));
  CHECK(done == 40);
  CHECK(counter.entered == 20);  // 2 calls x 10 requests
  CHECK(counter.most <= 4);
  CHECK(counter.most >= 3);
  CHECK(most_in_flight <= 4);
  CHECK(host.watchdog_wakes == 0);
  flow.close();
}

TEST_CASE("a deadline that passes ends the request through on_error with status timeout",
          "[api][errors]") {
  Flow flow(FlowBuilder().add("slow", "- !WaitDriver {duration: 3s}").build(),
            test::test_options());
  flow.start();
  RequestOptions call;
  call.request_size = 1;
  call.timeout = 200ms;
  int done = 0;
  int always = 0;
  std::vector<Status> errors;
  call.on_done = [&](const Response&) { ++done; };
  call.on_error = [&](const Response& r) { errors.push_back(r.status()); };
  call.on_always = [&](const Response&) { ++always; };
  flow.index_lines(std::vector<std::string>{"one", "two"}, call);
  CHECK(done == 0);
  CHECK(always == 2);
  REQUIRE(errors.size() == 2);
  for (const Status& status : errors) {
    CHECK(status.code == StatusCode::timeout);
    CHECK_THAT(status.message, Contains("200ms"));
    // Who ended it: the gateway, which saw no reply in time (the pod would have answered only
    // after its 3s wait, naming itself).
    CHECK(status.pod == "gateway");
  }
  flow.close();
}

TEST_CASE("index_ndarray: one document per row, the row as its embedding", "[api]") {
  std::mt19937 random(7);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(5 * 4);
  for (float& v : values) v = uniform(random);
  NdArray array = NdArray::from_floats(values, {5, 4});

  SECTION("Flow") {
    Flow flow(FlowBuilder().add("p").build(), test::test_options());
    flow.start();
    RequestOptions call;
    call.request_size = 2;
    call.prefetch = 1;  // one at a time: replies come back in row order
    std::vector<Response> responses = flow.index_ndarray(array, call);
    REQUIRE(responses.size() == 3);
    std::size_t row = 0;
    for (const Response& r : responses) {
      REQUIRE(r.ok());
      for (const Document& doc : r.request.docs) {
        INFO("row " << row);
        CHECK(doc.embedding.dtype == DType::float32);
        CHECK(doc.embedding.shape == std::vector<std::uint64_t>{4});
        auto got = doc.embedding.view<float>();
        REQUIRE(got.size() == 4);
        CHECK(std::memcmp(got.data(), values.data() + row * 4, 4 * sizeof(float)) == 0);
        ++row;
      }
    }
    CHECK(row == 5);
    flow.close();
  }
  SECTION("AsyncFlow in an epoll loop") {
    AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
    api_test::EpollHost host;
    reactor::EpollAttachment attached(host.epoll, flow);
    REQUIRE(api_test::start_in(host, attached, flow));
    std::multiset<std::string> sent, got;
    for (std::size_t row = 0; row < 5; ++row) sent.insert(array.bytes.substr(row * 16, 16));
    bool finished = false;
    RequestOptions call;
    call.request_size = 2;
    call.on_done = [&](const Response& r) {
      for (const Document& doc : r.request.docs) got.insert(doc.embedding.bytes);
    };
    call.on_finished = [&] { finished = true; };
    flow.index_ndarray(array, call);
    REQUIRE(host.run(
        attached, [&] { return finished; }, 10s));
    CHECK(got == sent);
    CHECK(host.watchdog_wakes == 0);
    flow.close();
  }
}

TEST_CASE("index_lines and search_lines: a file or strings, one document per non-empty line",
          "[api]") {
  TempDir dir("api");
  auto file = dir.write("lines.txt", "first\r\n\nsecond\nthird");
  Flow flow(FlowBuilder().add("p").build(), test::test_options());
  flow.start();
  RequestOptions call;
  call.request_size = 10;
  std::vector<Response> from_file = flow.index_lines(file, call);
  REQUIRE(from_file.size() == 1);
  REQUIRE(from_file[0].ok());
  std::vector<std::string> texts;
  for (const Document& doc : from_file[0].request.docs) texts.push_back(doc.text);
  CHECK(texts == std::vector<std::string>{"first", "second", "third"});

  std::vector<Response> searched = flow.search_lines(std::vector<std::string>{"a", "", "b"}, call);
  REQUIRE(searched.size() == 1);
  CHECK(searched[0].request.type == RequestType::search);
  CHECK(searched[0].request.docs.size() == 2);

  CHECK_THROWS_WITH(flow.index_lines(dir.path() / "missing.txt"), Contains("missing.txt"));
  flow.close();
}

TEST_CASE("index_files: one document per file, contents in raw, path in tags", "[api]") {
  TempDir dir("api");
  std::string binary("\0\x01\xff bytes", 9);
  std::map<std::string, std::string> files{
      {(dir.path() / "a.txt").string(), "alpha"},
      {(dir.path() / "sub" / "b.bin").string(), binary},
      {(dir.path() / "sub" / "c.txt").string(), ""},
  };
  for (const auto& [path, contents] : files)
    dir.write(std::filesystem::path(path).lexically_relative(dir.path()), contents);
  Flow flow(FlowBuilder().add("p").build(), test::test_options());
  flow.start();
  RequestOptions call;
  call.request_size = 2;
  std::map<std::string, std::string> got;
  for (const Response& r : flow.index_files({dir.path()}, call)) {
    REQUIRE(r.ok());
    for (const Document& doc : r.request.docs) {
      auto path = doc.tags.find("path");
      REQUIRE(path != doc.tags.end());
      got[std::get<std::string>(path->second)] = doc.raw;
    }
  }
  CHECK(got == files);
  CHECK_THROWS_WITH(flow.index_files({dir.path() / "nope"}), Contains("nope"));
  flow.close();
}

TEST_CASE("a file that cannot be read once the call runs ends it with bad_request",
          "[api][errors]") {
  TempDir dir("api");
  auto first = dir.write("1.txt", "one");
  auto second = dir.write("2.txt", "two");
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  api_test::EpollHost host;
  reactor::EpollAttachment attached(host.epoll, flow);
  REQUIRE(api_test::start_in(host, attached, flow));
  std::vector<Status> statuses;
  bool finished = false;
  RequestOptions call;
  call.request_size = 1;
  call.prefetch = 1;  // 2.txt is read only when 1.txt's request has ended
  call.on_always = [&](const Response& r) { statuses.push_back(r.status()); };
  call.on_finished = [&] { finished = true; };
  flow.index_files({first, second}, call);
  std::filesystem::remove(second);
  REQUIRE(host.run(
      attached, [&] { return finished; }, 10s));
  // In either order: the next request is built (here: fails to read) before 1.txt's callbacks.
  REQUIRE(statuses.size() == 2);
  std::sort(statuses.begin(), statuses.end(),
            [](const Status& a, const Status& b) { return a.code < b.code; });
  CHECK(statuses[0].ok());
  CHECK(statuses[1].code == StatusCode::bad_request);
  CHECK(statuses[1].pod == "client");
  CHECK_THAT(statuses[1].message, Contains("2.txt"));
  flow.close();
}

TEST_CASE("closing the flow ends the requests a call had not sent yet, each once",
          "[api][errors]") {
  AsyncFlow flow(FlowBuilder().add("w", "- !WaitDriver {duration: 50ms}").build(),
                 test::test_options());
  api_test::EpollHost host;
  reactor::EpollAttachment attached(host.epoll, flow);
  REQUIRE(api_test::start_in(host, attached, flow));
  int ok = 0;
  int closed = 0;
  int other = 0;
  bool finished = false;
  bool flow_closed = false;
  RequestOptions call;
  call.request_size = 1;
  call.prefetch = 2;
  call.on_done = [&](const Response&) {
    if (++ok == 1) flow.close_async([&] { flow_closed = true; });
  };
  call.on_error = [&](const Response& r) {
    (r.status().code == StatusCode::closed ? closed : other)++;
  };
  call.on_finished = [&] { finished = true; };
  flow.index(numbered_docs(10), call);
  REQUIRE(host.run(
      attached, [&] { return finished && flow_closed; }, 20s));
  CHECK(other == 0);
  CHECK(ok >= 1);
  CHECK(ok <= 3);  // the first, the one in flight with it, and one sent as the first ended
  CHECK(ok + closed == 10);
}

TEST_CASE("10000 documents through AsyncFlow::index, the loop woken only through the fd",
          "[api][async]") {
  AsyncFlow flow(FlowBuilder().add("a").build(), test::test_options());
  api_test::EpollHost host;
  reactor::EpollAttachment attached(host.epoll, flow);
  REQUIRE(api_test::start_in(host, attached, flow));
  int ok = 0;
  bool finished = false;
  RequestOptions call;
  call.request_size =
      1;  // 10000 requests; max_in_flight (default 256) makes the call wait for room
  call.on_done = [&](const Response&) { ++ok; };
  call.on_finished = [&] { finished = true; };
  flow.index(numbered_docs(10000), call);
  REQUIRE(host.run(
      attached, [&] { return finished; }, 60s));
  CHECK(ok == 10000);
  CHECK(flow.in_flight() == 0);
  CHECK(host.watchdog_wakes == 0);
  flow.close();
}

TEST_CASE("client-call misuse is refused with an error", "[api][errors]") {
  AsyncFlow flow(FlowBuilder().add("p").build(), test::test_options());
  CHECK_THROWS_WITH(flow.index(numbered_docs(1)), Contains("not started"));
  api_test::EpollHost host;
  reactor::EpollAttachment attached(host.epoll, flow);
  REQUIRE(api_test::start_in(host, attached, flow));

  SECTION("bad input") {
    RequestOptions zero;
    zero.request_size = 0;
    CHECK_THROWS_AS(flow.index(numbered_docs(1), zero), std::invalid_argument);
    NdArray flat = NdArray::from_floats(std::vector<float>{1, 2, 3}, {3});
    CHECK_THROWS_AS(flow.index_ndarray(flat), std::invalid_argument);
    CHECK(flow.in_flight() == 0);
  }
  SECTION("a call from another thread") {
    std::string error;
    std::thread other([&] {
      try {
        flow.index(numbered_docs(3));
      } catch (const FlowError& e) {
        error = e.what();
      }
    });
    other.join();
    CHECK_THAT(error, Contains("thread"));
    CHECK(flow.in_flight() == 0);
  }
  SECTION("process() re-entered from a call's callback") {
    std::string error;
    bool finished = false;
    RequestOptions call;
    call.on_done = [&](const Response&) {
      try {
        flow.process();
      } catch (const FlowError& e) {
        error = e.what();
      }
    };
    call.on_finished = [&] { finished = true; };
    flow.index(numbered_docs(3), call);
    REQUIRE(host.run(
        attached, [&] { return finished; }, 10s));
    CHECK_THAT(error, Contains("re-entered"));
  }
  SECTION("a call after close") {
    flow.close();
    CHECK_THROWS_WITH(flow.search(numbered_docs(1)), Contains("closed"));
  }
}

TEST_CASE("an empty input finishes at once without a request", "[api]") {
  Flow flow(FlowBuilder().add("p").build(), test::test_options());
  flow.start();
  bool finished = false;
  RequestOptions call;
  call.on_finished = [&] { finished = true; };
  CHECK(flow.index({}, call).empty());
  CHECK(finished);
  CHECK(flow.index_lines(std::vector<std::string>{"", ""}).empty());
  flow.close();
}
