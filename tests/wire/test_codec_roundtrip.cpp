// Round trips through the msgpack codec: every field of every message survives encode -> decode,
// the bytes match what docs/PROTOCOL.md promises, and inputs other encoders may produce (wider
// int forms, float32, int scores) decode as documented.
#include <catch2/catch.hpp>

#include <cstring>
#include <msgpack.hpp>

#include "jflow/codec.hpp"
#include "wire/codec_samples.hpp"

using namespace jflow;

namespace {

std::string bytes_of(std::initializer_list<unsigned char> bytes) {
  return std::string(bytes.begin(), bytes.end());
}

std::string packed(const msgpack::sbuffer& buffer) {
  return {buffer.data(), buffer.size()};
}

}  // namespace

TEST_CASE("envelope round trip keeps every field", "[codec]") {
  Envelope envelope = test::full_envelope();
  CHECK(decode_envelope(encode_envelope(envelope)) == envelope);

  Envelope empty;
  CHECK(decode_envelope(encode_envelope(empty)) == empty);
}

TEST_CASE("envelope round trip for every request type and status code", "[codec]") {
  for (auto type :
       {RequestType::index, RequestType::search, RequestType::train, RequestType::control}) {
    for (auto code : {StatusCode::ok, StatusCode::error, StatusCode::timeout, StatusCode::pea_lost,
                      StatusCode::bad_request, StatusCode::closed}) {
      Envelope envelope;
      envelope.request_id = "r";
      envelope.type = type;
      envelope.status.code = code;
      envelope.deadline_ns = std::numeric_limits<std::int64_t>::min();
      Envelope decoded = decode_envelope(encode_envelope(envelope));
      CHECK(decoded.type == type);
      CHECK(decoded.status.code == code);
      CHECK(decoded == envelope);
    }
  }
}

TEST_CASE("envelope bytes are the documented array", "[codec]") {
  // [1, "r1", 1, 0, [0, "", "", ""], []] -- the example in docs/PROTOCOL.md.
  Envelope envelope;
  envelope.request_id = "r1";
  envelope.type = RequestType::search;
  CHECK(encode_envelope(envelope) ==
        bytes_of({0x96, 0x01, 0xa2, 'r', '1', 0x01, 0x00, 0x94, 0x00, 0xa0, 0xa0, 0xa0, 0x90}));
}

TEST_CASE("body round trip keeps documents, nested chunks and matches, and parameters", "[codec]") {
  Request request = test::full_request();
  request.type = RequestType::search;
  Request decoded = decode_body(encode_body(request));
  // The type travels in the envelope; the body leaves it at its default.
  CHECK(decoded.type == RequestType::index);
  decoded.type = request.type;
  CHECK(decoded == request);
  REQUIRE(decoded.docs.size() == 3);
  CHECK(decoded.docs[0].chunks[0].chunks[0].id == "doc-1/chunk-0/0");
  CHECK(decoded.docs[0].chunks[0].matches[0].score == 0.9);
  CHECK(decoded.docs[0].embedding.view<float>()[1] == -1.5f);
}

TEST_CASE("tags keep the type of every Value kind", "[codec]") {
  Request request;
  request.docs.push_back(Document{});
  request.docs[0].tags = test::every_value_kind();
  Request decoded = decode_body(encode_body(request));
  const ValueMap& tags = decoded.docs.at(0).tags;
  CHECK(std::holds_alternative<std::monostate>(tags.at("nil")));
  CHECK(std::get<bool>(tags.at("yes")) == true);
  CHECK(std::get<bool>(tags.at("no")) == false);
  CHECK(std::get<std::int64_t>(tags.at("min")) == std::numeric_limits<std::int64_t>::min());
  CHECK(std::get<std::int64_t>(tags.at("max")) == std::numeric_limits<std::int64_t>::max());
  CHECK(std::get<double>(tags.at("integral_double")) == 2.0);
  CHECK(std::get<std::string>(tags.at("text")) == "héllo");
  CHECK(tags == request.docs[0].tags);
}

TEST_CASE("empty document fields are left out of the encoding", "[codec]") {
  Request request;
  request.docs.push_back(Document{});
  // {"docs": [{}], "parameters": {}}
  CHECK(encode_body(request) == bytes_of({0x82, 0xa4, 'd', 'o', 'c', 's', 0x91, 0x80, 0xaa, 'p',
                                          'a',  'r',  'a', 'm', 'e', 't', 'e',  'r',  's',  0x80}));
  Document only_text;
  only_text.text = "hi";
  request.docs[0] = only_text;
  std::string encoded = encode_body(request);
  CHECK(encoded.find("text") != std::string::npos);
  CHECK(encoded.find("score") == std::string::npos);
  CHECK(encoded.find("embedding") == std::string::npos);
  CHECK(decode_body(encoded) == request);
}

TEST_CASE("arrays of every dtype round trip, including 0-d and zero-length", "[codec]") {
  for (auto dtype : {DType::float32, DType::float64, DType::int8, DType::int16, DType::int32,
                     DType::int64, DType::uint8, DType::uint16, DType::uint32, DType::uint64}) {
    Request request;
    Document doc;
    doc.blob.dtype = dtype;
    doc.blob.shape = {3, 2};
    doc.blob.bytes.assign(6 * dtype_size(dtype), '\x5a');
    doc.embedding.dtype = dtype;  // 0-d: no shape, one element
    doc.embedding.bytes.assign(dtype_size(dtype), '\x01');
    request.docs.push_back(doc);
    Document zero_length;
    zero_length.blob.dtype = dtype;
    zero_length.blob.shape = {0, 5};
    request.docs.push_back(zero_length);
    CHECK(decode_body(encode_body(request)) == request);
  }
}

TEST_CASE("array data goes on the wire as raw bytes", "[codec]") {
  const float values[] = {1.0f, 2.0f, 3.0f};
  Request request;
  request.docs.emplace_back().embedding = NdArray::from_floats(values);
  std::string encoded = encode_body(request);
  // bin8 header with 12 bytes, then the floats exactly as they sit in memory.
  std::string raw(reinterpret_cast<const char*>(values), sizeof values);
  CHECK(encoded.find(bytes_of({0xc4, 12}) + raw) != std::string::npos);
}

TEST_CASE("control message round trip", "[codec]") {
  ControlMessage message = test::full_control();
  CHECK(decode_control(encode_control(message)) == message);

  ControlMessage minimal;
  minimal.command = "heartbeat";
  CHECK(decode_control(encode_control(minimal)) == minimal);
}

TEST_CASE("decoder accepts what other msgpack encoders write", "[codec]") {
  SECTION("wide int forms and float32 in an envelope and tags") {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_array(6).pack_fix_uint64(1).pack_str(1).pack_str_body("x", 1).pack_fix_uint32(2);
    pk.pack_fix_int64(-5).pack_array(4).pack_fix_uint16(0);
    for (int i = 0; i < 3; ++i) pk.pack_str(0);
    pk.pack_array(0);
    Envelope envelope = decode_envelope(packed(buffer));
    CHECK(envelope.type == RequestType::train);
    CHECK(envelope.deadline_ns == -5);
  }
  SECTION("a body with only some keys, float32 tags, an int score") {
    msgpack::sbuffer buffer;
    msgpack::packer<msgpack::sbuffer> pk(buffer);
    pk.pack_map(1).pack(std::string("docs")).pack_array(1).pack_map(2);
    pk.pack(std::string("score")).pack(3);
    pk.pack(std::string("tags")).pack_map(1).pack(std::string("f")).pack_float(0.5f);
    Request request = decode_body(packed(buffer));
    REQUIRE(request.docs.size() == 1);
    CHECK(request.docs[0].score == 3.0);
    CHECK(std::get<double>(request.docs[0].tags.at("f")) == 0.5);
    CHECK(request.parameters.empty());
  }
}

TEST_CASE("dtype, request type and status code names", "[codec]") {
  for (auto dtype : {DType::float32, DType::float64, DType::int8, DType::int16, DType::int32,
                     DType::int64, DType::uint8, DType::uint16, DType::uint32, DType::uint64}) {
    CHECK(parse_dtype(dtype_name(dtype)) == dtype);
  }
  CHECK(dtype_name(DType::float32) == "float32");
  CHECK(dtype_size(DType::float64) == 8);
  CHECK(dtype_size(DType::uint16) == 2);
  CHECK_FALSE(parse_dtype("float16").has_value());

  CHECK(request_type_name(RequestType::search) == "search");
  CHECK(parse_request_type("train") == RequestType::train);
  CHECK(parse_request_type("control") == RequestType::control);
  CHECK_FALSE(parse_request_type("Index").has_value());
  CHECK(status_code_name(StatusCode::pea_lost) == "pea_lost");
  CHECK(status_code_name(StatusCode::bad_request) == "bad_request");
  CHECK(status_code_name(StatusCode::closed) == "closed");
}

TEST_CASE("NdArray element count and from_floats", "[codec]") {
  NdArray array;
  CHECK(array.element_count() == 1u);  // 0-d
  array.shape = {4, 0, 7};
  CHECK(array.element_count() == 0u);
  array.shape = {1ull << 32, 1ull << 32};
  CHECK_FALSE(array.element_count().has_value());

  const float values[] = {1, 2, 3, 4, 5, 6};
  NdArray matrix = NdArray::from_floats(values, {2, 3});
  CHECK(matrix.shape == std::vector<std::uint64_t>{2, 3});
  CHECK(matrix.bytes.size() == sizeof values);
  CHECK(matrix.view<float>()[5] == 6.0f);
  CHECK(NdArray::from_floats(values).shape == std::vector<std::uint64_t>{6});
  CHECK_THROWS_AS(NdArray::from_floats(values, {4, 4}), std::invalid_argument);
}

TEST_CASE("encoding refuses an array whose bytes do not match dtype x shape", "[codec]") {
  Request request;
  Document& doc = request.docs.emplace_back();
  doc.embedding.shape = {4};
  doc.embedding.bytes.assign(12, '\0');
  CHECK_THROWS_WITH(encode_body(request),
                    Catch::Contains("embedding") && Catch::Contains("float32 x shape [4]"));
}
