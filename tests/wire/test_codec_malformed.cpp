// Malformed input to the msgpack codec: every kind of bad message must throw DecodeError with a
// message that says what is wrong and where -- never crash, read out of bounds, or allocate by a
// forged size. Run under -fsanitize=address,undefined to make "never" mean something.
#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <msgpack.hpp>
#include <random>

#include "jflow/codec.hpp"
#include "wire/codec_samples.hpp"

using namespace jflow;
using Catch::Contains;
using Catch::Equals;

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

std::string build(const std::function<void(Packer&)>& write) {
  msgpack::sbuffer buffer;
  Packer pk(buffer);
  write(pk);
  return {buffer.data(), buffer.size()};
}

void str(Packer& pk, std::string_view text) {
  pk.pack_str(static_cast<std::uint32_t>(text.size()));
  pk.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
}

// {"docs": [<count documents written by write_docs>]}
std::string body_with_docs(std::uint32_t count, const std::function<void(Packer&)>& write_docs) {
  return build([&](Packer& pk) {
    pk.pack_map(1);
    str(pk, "docs");
    pk.pack_array(count);
    write_docs(pk);
  });
}

// {"docs": [{<key>: <value written by write_value>}]}
std::string body_with_field(std::string_view key, const std::function<void(Packer&)>& write_value) {
  return body_with_docs(1, [&](Packer& pk) {
    pk.pack_map(1);
    str(pk, key);
    write_value(pk);
  });
}

// A valid envelope whose field `index` (0 = version) is written by `replace` instead.
std::string envelope_with(int index, const std::function<void(Packer&)>& replace) {
  return build([&](Packer& pk) {
    pk.pack_array(6);
    const std::function<void(Packer&)> fields[6] = {
        [](Packer& p) { p.pack_uint32(1); },
        [](Packer& p) { str(p, "req"); },
        [](Packer& p) { p.pack_uint8(0); },
        [](Packer& p) { p.pack_int64(0); },
        [](Packer& p) {
          p.pack_array(4).pack_uint8(0);
          for (int i = 0; i < 3; ++i) str(p, "");
        },
        [](Packer& p) { p.pack_array(0); },
    };
    for (int i = 0; i < 6; ++i) (i == index ? replace : fields[i])(pk);
  });
}

std::string raw(std::initializer_list<unsigned char> bytes) {
  return {bytes.begin(), bytes.end()};
}

// An embedding map {"dtype": dtype, "shape": shape, "data": <data_bytes zero bytes>}.
void embedding(Packer& pk, std::string_view dtype, std::vector<std::uint64_t> shape,
               std::uint32_t data_bytes) {
  pk.pack_map(3);
  str(pk, "dtype");
  str(pk, dtype);
  str(pk, "shape");
  pk.pack_array(static_cast<std::uint32_t>(shape.size()));
  for (auto extent : shape) pk.pack_uint64(extent);
  str(pk, "data");
  std::string zeros(data_bytes, '\0');
  pk.pack_bin(data_bytes).pack_bin_body(zeros.data(), data_bytes);
}

// Documents nested `levels` deep through "chunks".
void nested(Packer& pk, int levels) {
  if (levels == 0) {
    pk.pack_map(0);
    return;
  }
  pk.pack_map(1);
  str(pk, "chunks");
  pk.pack_array(1);
  nested(pk, levels - 1);
}

}  // namespace

TEST_CASE("empty input is rejected by every decoder", "[codec][malformed]") {
  CHECK_THROWS_WITH(decode_envelope(""), Equals("envelope: empty input"));
  CHECK_THROWS_WITH(decode_body(""), Equals("body: empty input"));
  CHECK_THROWS_WITH(decode_control(""), Equals("control: empty input"));
}

TEST_CASE("every truncation of a valid encoding throws DecodeError", "[codec][malformed]") {
  struct Case {
    std::string name;
    std::string bytes;
    std::function<void(std::string_view)> decode;
  };
  const Case cases[] = {
      {"envelope", encode_envelope(test::full_envelope()),
       [](std::string_view b) { decode_envelope(b); }},
      {"body", encode_body(test::full_request()), [](std::string_view b) { decode_body(b); }},
      {"control", encode_control(test::full_control()),
       [](std::string_view b) { decode_control(b); }},
  };
  for (const Case& c : cases) {
    for (std::size_t length = 0; length < c.bytes.size(); ++length) {
      INFO(c.name << " cut to " << length << " of " << c.bytes.size() << " bytes");
      // A copy of exactly `length` bytes, so the sanitizer sees any read past the end.
      std::string prefix = c.bytes.substr(0, length);
      CHECK_THROWS_AS(c.decode(prefix), DecodeError);
      if (length > 0) {
        CHECK_THROWS_WITH(c.decode(prefix), Contains("truncated") || Contains("but only"));
      }
    }
  }
}

TEST_CASE("truncation messages give the missing byte count and offset", "[codec][malformed]") {
  std::string full = envelope_with(3, [](Packer& pk) { pk.pack_fix_int64(-1); });
  // 0x96, 0x01, "req" (4 bytes), type at offset 6, int64 lead at 7, its 8 bytes from offset 8.
  CHECK_THROWS_WITH(decode_envelope(full.substr(0, 12)),
                    Equals("envelope.deadline_ns: truncated: needed 4 more bytes at offset 8"));
  CHECK_THROWS_WITH(decode_envelope(full.substr(0, 8)),
                    Equals("envelope.deadline_ns: truncated: needed 8 more bytes at offset 8"));
}

// The one-byte encodings (fixstr, fixarray, fixmap) are read by an inline fast path that leaves
// any doubt to the full reader: one byte short of what a header declares must still fail there,
// with the full reader's message.
TEST_CASE("a fixstr, fixarray or fixmap one byte short of its declared size is refused",
          "[codec][malformed]") {
  CHECK_THROWS_WITH(decode_body(body_with_field("text", [](Packer&) {}) + "\xa3" + "ab"),
                    Equals("body.docs[0].text: declared str of 3 bytes but only 2 bytes remain"));
  CHECK_THROWS_WITH(decode_body(raw({0x81, 0xa4, 'd', 'o', 'c', 's', 0x92, 0x80})),
                    Equals("body.docs: declared 2 elements but only 1 byte remains"));
  CHECK_THROWS_WITH(decode_body(raw({0x82, 0xa2, 'd', 'o'})),
                    Equals("body: declared 2 entries but only 3 bytes remain"));
  // Exactly enough is accepted: an empty docs array, then nothing after it.
  CHECK(decode_body(raw({0x81, 0xa4, 'd', 'o', 'c', 's', 0x90})).docs.empty());
}

TEST_CASE("trailing bytes after a message are rejected", "[codec][malformed]") {
  CHECK_THROWS_WITH(decode_body(encode_body(test::full_request()) + "abc"),
                    Equals("body: 3 trailing bytes after the message"));
  CHECK_THROWS_WITH(decode_envelope(encode_envelope(test::full_envelope()) + "\x90"),
                    Equals("envelope: 1 trailing byte after the message"));
  CHECK_THROWS_WITH(decode_control(encode_control(test::full_control()) + "\xc0\xc0"),
                    Equals("control: 2 trailing bytes after the message"));
}

TEST_CASE("wrong msgpack types are named with their path", "[codec][malformed]") {
  CHECK_THROWS_WITH(decode_body(body_with_field("text", [](Packer& pk) { pk.pack_int(5); })),
                    Equals("body.docs[0].text: expected str, got int"));
  CHECK_THROWS_WITH(decode_body(body_with_field("raw", [](Packer& pk) { str(pk, "x"); })),
                    Equals("body.docs[0].raw: expected bin, got str"));
  CHECK_THROWS_WITH(decode_body(body_with_field("chunks", [](Packer& pk) { pk.pack_map(0); })),
                    Equals("body.docs[0].chunks: expected array, got map"));
  CHECK_THROWS_WITH(decode_body(body_with_field("score", [](Packer& pk) { pk.pack_nil(); })),
                    Equals("body.docs[0].score: expected float, got nil"));
  CHECK_THROWS_WITH(
      decode_body(body_with_field("tags",
                                  [](Packer& pk) {
                                    pk.pack_map(1);
                                    str(pk, "k");
                                    pk.pack_array(0);
                                  })),
      Equals("body.docs[0].tags.k: expected nil, bool, int, float or str, got array"));
  CHECK_THROWS_WITH(decode_body(body_with_docs(2,
                                               [](Packer& pk) {
                                                 pk.pack_map(0);
                                                 pk.pack_true();
                                               })),
                    Equals("body.docs[1]: expected map, got bool"));
  CHECK_THROWS_WITH(decode_body(build([](Packer& pk) { pk.pack_array(0); })),
                    Equals("body: expected map, got array"));
  CHECK_THROWS_WITH(decode_envelope(build([](Packer& pk) { pk.pack_map(0); })),
                    Equals("envelope: expected array, got map"));
  CHECK_THROWS_WITH(decode_envelope(envelope_with(1, [](Packer& pk) { pk.pack_int(3); })),
                    Equals("envelope.request_id: expected str, got int"));
  CHECK_THROWS_WITH(decode_envelope(envelope_with(3, [](Packer& pk) { pk.pack_double(0.5); })),
                    Equals("envelope.deadline_ns: expected int, got float"));
  CHECK_THROWS_WITH(decode_envelope(envelope_with(5,
                                                  [](Packer& pk) {
                                                    pk.pack_array(2);
                                                    pk.pack_array(4);
                                                    str(pk, "a");
                                                    str(pk, "a/0");
                                                    pk.pack_int(1).pack_int(2);
                                                    pk.pack_array(4).pack_nil();
                                                    str(pk, "b/0");
                                                    pk.pack_int(3).pack_int(4);
                                                  })),
                    Equals("envelope.routes[1].pod: expected str, got nil"));
  CHECK_THROWS_WITH(decode_envelope(envelope_with(
                        4, [](Packer& pk) { pk.pack_array(3).pack_int(0).pack_nil().pack_nil(); })),
                    Equals("envelope.status: expected an array of 4 fields, got 3"));
  CHECK_THROWS_WITH(decode_control(build([](Packer& pk) {
                      pk.pack_map(2);
                      str(pk, "command");
                      str(pk, "ready");
                      str(pk, "endpoints");
                      pk.pack_array(1).pack_int(1);
                    })),
                    Equals("control.endpoints[0]: expected str, got int"));
  CHECK_THROWS_WITH(decode_body(body_with_field("text", [](Packer& pk) { pk.pack_ext(1, 3); })),
                    Contains("expected str, got ext"));
  CHECK_THROWS_WITH(decode_body(body_with_docs(1, [](Packer&) {}) + "\xc1"),
                    Contains("got the reserved byte 0xc1"));
}

TEST_CASE("absurd declared sizes fail before allocating", "[codec][malformed]") {
  const std::string nine(9, '\0');
  CHECK_THROWS_WITH(
      decode_body(raw({0x81, 0xa4, 'd', 'o', 'c', 's', 0xdd, 0xff, 0xff, 0xff, 0xff}) + nine),
      Equals("body.docs: declared 4294967295 elements but only 9 bytes remain"));
  CHECK_THROWS_WITH(decode_body(raw({0xdf, 0xff, 0xff, 0xff, 0xff}) + nine),
                    Equals("body: declared 4294967295 entries but only 9 bytes remain"));
  CHECK_THROWS_WITH(decode_body(body_with_docs(1, [](Packer&) {}) + "\xdb\xff\xff\xff\xff" + nine),
                    Equals("body.docs[0]: expected map, got str"));
  CHECK_THROWS_WITH(
      decode_body(body_with_field("text", [](Packer&) {}) + "\xdb\xff\xff\xff\xff" + nine),
      Equals("body.docs[0].text: declared str of 4294967295 bytes but only 9 bytes remain"));
  CHECK_THROWS_WITH(
      decode_body(body_with_field("raw", [](Packer&) {}) + "\xc6\xff\xff\xff\xf0" + nine),
      Equals("body.docs[0].raw: declared bin of 4294967280 bytes but only 9 bytes remain"));
  CHECK_THROWS_WITH(
      decode_body(body_with_field("tags", [](Packer&) {}) + raw({0xdf, 0x00, 0x10, 0x00, 0x00})),
      Contains("body.docs[0].tags: declared 1048576 entries"));
  CHECK_THROWS_WITH(
      decode_envelope(envelope_with(5, [](Packer&) {}) + raw({0xdc, 0x00, 0x03}) + nine),
      Equals("envelope.routes: declared 3 elements but only 9 bytes remain"));
  CHECK_THROWS_WITH(decode_envelope(raw({0xdd, 0x7f, 0xff, 0xff, 0xff, 0x01})),
                    Contains("envelope: declared 2147483647 elements"));
}

TEST_CASE("limits bound documents, map entries and dimensions", "[codec][malformed]") {
  DecodeLimits limits;
  limits.max_docs = 2;
  limits.max_map_entries = 1;
  std::string three_docs = body_with_docs(3, [](Packer& pk) {
    for (int i = 0; i < 3; ++i) pk.pack_map(0);
  });
  CHECK_NOTHROW(decode_body(three_docs));
  CHECK_THROWS_WITH(decode_body(three_docs, limits),
                    Equals("body.docs: 3 documents exceed the limit of 2"));
  std::string two_tags = body_with_field("tags", [](Packer& pk) {
    pk.pack_map(2);
    str(pk, "a");
    pk.pack_nil();
    str(pk, "b");
    pk.pack_nil();
  });
  CHECK_THROWS_WITH(decode_body(two_tags, limits),
                    Equals("body.docs[0].tags: 2 entries exceed the limit of 1"));
  std::vector<std::uint64_t> dims(33, 1);
  CHECK_THROWS_WITH(
      decode_body(body_with_field("blob", [&](Packer& pk) { embedding(pk, "uint8", dims, 1); })),
      Equals("body.docs[0].blob.shape: 33 dimensions exceed the limit of 32"));
}

TEST_CASE("unknown protocol version, request type and status code", "[codec][malformed]") {
  CHECK_THROWS_WITH(decode_envelope(envelope_with(0, [](Packer& pk) { pk.pack_uint8(7); })),
                    Equals("envelope: unsupported protocol version 7 (this build speaks 1)"));
  // The version is read first: a future envelope of another length still gets this message.
  CHECK_THROWS_WITH(
      decode_envelope(build([](Packer& pk) { pk.pack_array(2).pack_int(2).pack_nil(); })),
      Equals("envelope: unsupported protocol version 2 (this build speaks 1)"));
  CHECK_THROWS_WITH(
      decode_envelope(build([](Packer& pk) { pk.pack_array(2).pack_int(1).pack_nil(); })),
      Equals("envelope: expected an array of 6 fields (7 with a traceparent), got 2"));
  CHECK_THROWS_WITH(decode_envelope(build([](Packer& pk) { pk.pack_array(0); })),
                    Equals("envelope: expected the protocol version first, got an empty array"));
  CHECK_THROWS_WITH(decode_envelope(envelope_with(0, [](Packer& pk) { pk.pack_int(-1); })),
                    Equals("envelope.version: expected uint, got negative int -1"));
  CHECK_THROWS_WITH(decode_envelope(envelope_with(2, [](Packer& pk) { pk.pack_uint8(9); })),
                    Equals("envelope.type: unknown request type 9"));
  CHECK_THROWS_WITH(decode_envelope(envelope_with(4,
                                                  [](Packer& pk) {
                                                    pk.pack_array(4).pack_uint8(6);
                                                    for (int i = 0; i < 3; ++i) str(pk, "");
                                                  })),
                    Equals("envelope.status.code: unknown status code 6"));
}

TEST_CASE("array byte size must match dtype x shape", "[codec][malformed]") {
  std::string bad = body_with_docs(3, [](Packer& pk) {
    pk.pack_map(0);
    pk.pack_map(0);
    pk.pack_map(1);
    str(pk, "embedding");
    embedding(pk, "float32", {4}, 12);
  });
  CHECK_THROWS_WITH(
      decode_body(bad),
      Equals("body.docs[2].embedding: data is 12 bytes but dtype float32 x shape [4] needs 16"));
  CHECK_THROWS_WITH(
      decode_body(body_with_field("blob",
                                  [](Packer& pk) {
                                    embedding(pk, "int16", {2, 3}, 13);
                                  })),
      Equals("body.docs[0].blob: data is 13 bytes but dtype int16 x shape [2, 3] needs 12"));
  CHECK_THROWS_WITH(decode_body(body_with_field(
                        "embedding", [](Packer& pk) { embedding(pk, "float128", {1}, 16); })),
                    Equals("body.docs[0].embedding.dtype: unknown dtype 'float128'"));
  CHECK_THROWS_WITH(decode_body(body_with_field("embedding",
                                                [](Packer& pk) {
                                                  pk.pack_map(2);
                                                  str(pk, "shape");
                                                  pk.pack_array(0);
                                                  str(pk, "data");
                                                  pk.pack_bin(0);
                                                })),
                    Equals("body.docs[0].embedding: missing key 'dtype'"));
  CHECK_THROWS_WITH(
      decode_body(body_with_field("embedding",
                                  [](Packer& pk) {
                                    embedding(pk, "uint8", {1ull << 32, 1ull << 32}, 0);
                                  })),
      Equals("body.docs[0].embedding: dtype uint8 x shape [4294967296, 4294967296] "
             "overflows 64 bits"));
  // The element count fits 64 bits; times the dtype size it does not.
  CHECK_THROWS_WITH(
      decode_body(body_with_field("embedding",
                                  [](Packer& pk) { embedding(pk, "float64", {1ull << 62}, 0); })),
      Contains("overflows 64 bits"));
  CHECK_THROWS_WITH(decode_body(body_with_field("embedding",
                                                [](Packer& pk) {
                                                  pk.pack_map(1);
                                                  str(pk, "shape");
                                                  pk.pack_array(1).pack_int(-3);
                                                })),
                    Equals("body.docs[0].embedding.shape[0]: expected uint, got negative int -3"));
}

TEST_CASE("nesting deeper than the limit is rejected", "[codec][malformed]") {
  std::string deep = body_with_docs(1, [](Packer& pk) { nested(pk, 40); });
  CHECK_THROWS_WITH(decode_body(deep), Contains("nested deeper than 32 levels"));
  std::string ok = body_with_docs(1, [](Packer& pk) { nested(pk, 32); });
  CHECK_NOTHROW(decode_body(ok));
  DecodeLimits shallow;
  shallow.max_depth = 1;
  CHECK_THROWS_WITH(decode_body(body_with_docs(1, [](Packer& pk) { nested(pk, 2); }), shallow),
                    Equals("body.docs[0].chunks[0].chunks: documents nested deeper than 1 levels "
                           "of chunks/matches"));
}

TEST_CASE("map keys must be known strings, each at most once", "[codec][malformed]") {
  CHECK_THROWS_WITH(decode_body(body_with_field("colour", [](Packer& pk) { str(pk, "red"); })),
                    Equals("body.docs[0]: unknown key 'colour'"));
  CHECK_THROWS_WITH(decode_body(body_with_docs(1,
                                               [](Packer& pk) {
                                                 pk.pack_map(1).pack_int(1);
                                                 str(pk, "x");
                                               })),
                    Equals("body.docs[0]: map key must be str, got int"));
  CHECK_THROWS_WITH(decode_body(body_with_field("tags",
                                                [](Packer& pk) {
                                                  pk.pack_map(1).pack_bin(0);
                                                  pk.pack_nil();
                                                })),
                    Equals("body.docs[0].tags: map key must be str, got bin"));
  CHECK_THROWS_WITH(decode_body(body_with_docs(1,
                                               [](Packer& pk) {
                                                 pk.pack_map(2);
                                                 str(pk, "id");
                                                 str(pk, "a");
                                                 str(pk, "id");
                                                 str(pk, "b");
                                               })),
                    Equals("body.docs[0]: duplicate key 'id'"));
  CHECK_THROWS_WITH(decode_body(build([](Packer& pk) { pk.pack_map(1).pack_nil().pack_nil(); })),
                    Equals("body: map key must be str, got nil"));
  CHECK_THROWS_WITH(decode_body(build([](Packer& pk) {
                      pk.pack_map(1);
                      str(pk, "documents");
                      pk.pack_array(0);
                    })),
                    Equals("body: unknown key 'documents'"));
  CHECK_THROWS_WITH(decode_control(build([](Packer& pk) {
                      pk.pack_map(1);
                      str(pk, "pea");
                      str(pk, "p");
                    })),
                    Equals("control: missing key 'command'"));
}

TEST_CASE("a uint64 that does not fit int64 is an error", "[codec][malformed]") {
  CHECK_THROWS_WITH(
      decode_body(build([](Packer& pk) {
        pk.pack_map(1);
        str(pk, "parameters");
        pk.pack_map(1);
        str(pk, "top_k");
        pk.pack_uint64(std::numeric_limits<std::uint64_t>::max());
      })),
      Equals("body.parameters.top_k: uint64 18446744073709551615 does not fit int64"));
  CHECK_THROWS_WITH(
      decode_envelope(envelope_with(3, [](Packer& pk) { pk.pack_fix_uint64(1ull << 63); })),
      Equals("envelope.deadline_ns: uint64 9223372036854775808 does not fit int64"));
}

TEST_CASE("mutated valid encodings either decode or throw DecodeError", "[codec][malformed]") {
  // std::mt19937_64's output is fixed by the standard (distributions are not), so every platform
  // runs the same mutations; a failure prints the iteration and can be replayed.
  std::mt19937_64 rng(20240611);
  auto below = [&rng](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::string seeds[3] = {encode_envelope(test::full_envelope()),
                                encode_body(test::full_request()),
                                encode_control(test::full_control())};
  int decoded = 0;
  int rejected = 0;
  for (int iteration = 0; iteration < 6000; ++iteration) {
    int kind = iteration % 3;
    std::string bytes = seeds[kind];
    int edits = 1 + static_cast<int>(below(3));
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      std::size_t at = below(bytes.size());
      switch (below(6)) {
        case 0:
          bytes[at] = static_cast<char>(rng());
          break;
        case 1:
          bytes[at] = static_cast<char>(bytes[at] ^ (1 << below(8)));
          break;
        case 2:
          bytes.insert(at, 1, static_cast<char>(rng()));
          break;
        case 3:
          bytes.erase(at, 1 + below(4));
          break;
        case 4:
          bytes.replace(at, 4, "\xff\xff\xff\xff");
          break;  // a huge length, often
        default:
          bytes.insert(at, bytes.substr(at, 1 + below(16)));
          break;
      }
    }
    INFO("iteration " << iteration << ", message kind " << kind);
    try {
      // A message that decodes must also re-encode, and the result must be stable.
      if (kind == 0) {
        std::string again = encode_envelope(decode_envelope(bytes));
        CHECK(encode_envelope(decode_envelope(again)) == again);
      } else if (kind == 1) {
        std::string again = encode_body(decode_body(bytes));
        CHECK(encode_body(decode_body(again)) == again);
      } else {
        std::string again = encode_control(decode_control(bytes));
        CHECK(encode_control(decode_control(again)) == again);
      }
      ++decoded;
    } catch (const DecodeError&) {
      ++rejected;
    } catch (const std::exception& e) {
      FAIL("unexpected exception: " << e.what());
    }
  }
  // Both outcomes must occur, or the mutations are not exercising the decoder.
  CHECK(decoded > 100);
  CHECK(rejected > 1000);
}
