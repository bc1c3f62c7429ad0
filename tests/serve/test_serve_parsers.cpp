// The two readers of client input: .npy files (jflow::parse_npy) and HTTP query bodies
// (serve::parse_query), with well-formed and malformed input.
#include <catch2/catch.hpp>

#include "jflow/client.hpp"
#include "serve/serve_json.hpp"
#include "serve/serve_support.hpp"

using Catch::Matchers::Contains;
using namespace jflow;

namespace {

const std::string kDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";

std::string six_floats() {
  return test::float_bytes({1, 2, 3, 4, 5, 6});
}

std::string npy_error(const std::string& bytes) {
  try {
    parse_npy(bytes, "t.npy");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  FAIL("parse_npy accepted malformed input");
  return "";
}

std::string query_error(const std::string& body) {
  try {
    serve::parse_query(body);
  } catch (const serve::JsonError& e) {
    return e.what();
  }
  FAIL("parse_query accepted " << body);
  return "";
}

}  // namespace

TEST_CASE("parse_npy reads what numpy writes", "[serve][npy]") {
  NdArray array = parse_npy(test::npy_bytes(kDict, six_floats()));
  CHECK(array.dtype == DType::float32);
  CHECK(array.shape == std::vector<std::uint64_t>{2, 3});
  CHECK(array.view<float>()[5] == 6.0f);

  // Version 2.0: a four-byte header length.
  std::string v1 = test::npy_bytes(kDict, six_floats());
  std::string v2 = v1.substr(0, 6) + std::string("\x02\x00", 2) + v1.substr(8, 2) +
                   std::string("\x00\x00", 2) + v1.substr(10);
  CHECK(parse_npy(v2).shape == std::vector<std::uint64_t>{2, 3});

  // Double quotes, no trailing comma, byte-sized types with '|', a 1-D shape.
  NdArray bytes = parse_npy(
      test::npy_bytes("{\"descr\": \"|u1\", \"shape\": (4,), \"fortran_order\": False}", "abcd"));
  CHECK(bytes.dtype == DType::uint8);
  CHECK(bytes.shape == std::vector<std::uint64_t>{4});
}

TEST_CASE("parse_npy rejects malformed files, naming the problem", "[serve][npy][bad-input]") {
  CHECK_THAT(npy_error("short"), Contains("bad magic"));
  CHECK_THAT(npy_error("\x93NUMPX\x01\x00\x10\x00"), Contains("bad magic"));
  CHECK_THAT(npy_error(std::string("\x93NUMPY\x09\x00\x10\x00", 10)), Contains("format version 9"));
  CHECK_THAT(npy_error(std::string("\x93NUMPY\x01\x00\xff\x00{}", 12)),
             Contains("declares 255 bytes"));
  CHECK_THAT(npy_error(test::npy_bytes("{'descr': '<f4', 'shape': (2, 3)}", six_floats())),
             Contains("needs descr, fortran_order and shape"));
  CHECK_THAT(npy_error(test::npy_bytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
                                       six_floats())),
             Contains("fortran_order"));
  CHECK_THAT(npy_error(test::npy_bytes(
                 "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", six_floats())),
             Contains("big-endian"));
  CHECK_THAT(npy_error(test::npy_bytes(
                 "{'descr': '<f2', 'fortran_order': False, 'shape': (2, 3), }", six_floats())),
             Contains("unsupported dtype '<f2'"));
  CHECK_THAT(npy_error(test::npy_bytes(kDict, six_floats().substr(4))),
             Contains("20 bytes but dtype <f4 x shape needs 24"));
  CHECK_THAT(npy_error(test::npy_bytes(kDict, six_floats() + "x")), Contains("25 bytes"));
  CHECK_THAT(npy_error(test::npy_bytes(
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (2, x), }", six_floats())),
             Contains("expected a shape extent"));
  CHECK_THAT(npy_error(test::npy_bytes("{'descr': '<f4, 'fortran_order': False}", "")),
             Contains("header"));
  CHECK_THAT(npy_error(test::npy_bytes(
                 "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2, 3)}",
                 six_floats())),
             Contains("repeated key 'descr'"));
  CHECK_THAT(npy_error(test::npy_bytes(
                 "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, "
                 "99999999999), }",
                 six_floats())),
             Contains("npy data is 24 bytes"));
  CHECK_THROWS_WITH(read_npy("/nonexistent/x.npy"), Contains("/nonexistent/x.npy"));
}

TEST_CASE("parse_query reads data or docs with tags, top_k and request_size", "[serve][json]") {
  serve::HttpQuery data = serve::parse_query(R"({"data": ["a", "b"], "top_k": 5})");
  REQUIRE(data.docs.size() == 2);
  CHECK(data.docs[1].text == "b");
  CHECK(data.top_k == 5);
  CHECK(data.request_size == 100);

  serve::HttpQuery docs = serve::parse_query(
      R"({"request_size": 1, "docs": [{"id": "d", "text": "t",
          "tags": {"i": -3, "f": 0.5, "b": true, "s": "x", "n": null}}]})");
  REQUIRE(docs.docs.size() == 1);
  CHECK(docs.request_size == 1);
  const ValueMap& tags = docs.docs[0].tags;
  CHECK(tags.at("i") == Value{std::int64_t{-3}});
  CHECK(tags.at("f") == Value{0.5});
  CHECK(tags.at("b") == Value{true});
  CHECK(tags.at("s") == Value{std::string("x")});
  CHECK(tags.at("n") == Value{});

  CHECK_THAT(query_error(R"({"docs": [{"tags": {"big": 18446744073709551615}}]})"),
             Contains("docs[0].tags.big: integer 18446744073709551615 does not fit int64"));
  CHECK_THAT(query_error(R"({"data": [], "top_k": 2.5})"),
             Contains("top_k: expected a positive integer"));
  CHECK_THAT(query_error(R"({"docs": [["x"]]})"), Contains("docs[0]: expected an object"));
  CHECK_THAT(query_error(""), Contains("invalid JSON"));
}
