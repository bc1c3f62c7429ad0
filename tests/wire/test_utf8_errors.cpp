// Error texts are valid UTF-8 whatever the sender's bytes (issue 16, found 8): a decode error
// echoed an unknown key's raw bytes, so a client decoding the reply's strings as UTF-8 failed on
// the reply itself.
#include <catch2/catch.hpp>

#include <msgpack.hpp>

#include "base/utf8.hpp"
#include "jflow/codec.hpp"
#include "serve/front_request.hpp"

using jflow::escape_invalid_utf8;

namespace {

bool is_valid_utf8_text(std::string_view text) {
  return escape_invalid_utf8(text) == text;
}

// {"\xc6\xff\xff\xff": 1} as a body.
std::string body_with_raw_key(std::string_view key) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> pk(buffer);
  pk.pack_map(1);
  pk.pack_str(static_cast<std::uint32_t>(key.size()));
  pk.pack_str_body(key.data(), static_cast<std::uint32_t>(key.size()));
  pk.pack_int(1);
  return {buffer.data(), buffer.size()};
}

}  // namespace

TEST_CASE("escape_invalid_utf8 keeps valid text and escapes each bad byte", "[utf8]") {
  CHECK(escape_invalid_utf8("plain") == "plain");
  CHECK(escape_invalid_utf8("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80") ==
        "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(escape_invalid_utf8("\xc6\xff\xff\xff") == "\\xc6\\xff\\xff\\xff");
  CHECK(escape_invalid_utf8("\xc0\xaf") == "\\xc0\\xaf");                    // overlong '/'
  CHECK(escape_invalid_utf8("\xed\xa0\x80") == "\\xed\\xa0\\x80");           // a surrogate
  CHECK(escape_invalid_utf8("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  CHECK(escape_invalid_utf8("ok\xe2\x82") == "ok\\xe2\\x82");                // cut short
}

TEST_CASE("a decode error naming a non-UTF-8 key is valid UTF-8 and shows the bytes", "[utf8]") {
  try {
    (void)jflow::decode_body(body_with_raw_key("\xc6\xff\xff\xff"));
    FAIL("decoded");
  } catch (const jflow::DecodeError& e) {
    const std::string what = e.what();
    CHECK(is_valid_utf8_text(what));
    CHECK_THAT(what, Catch::Contains("unknown key '\\xc6\\xff\\xff\\xff'"));
  }
}

TEST_CASE("the served front's refusal of such a body is valid UTF-8", "[utf8][serve]") {
  jflow::Envelope envelope;
  envelope.request_id = "r1";
  const std::string head = jflow::encode_envelope(envelope);
  const std::string body = body_with_raw_key("tag\xff");
  const std::string_view frames[] = {head, body};
  const jflow::serve::FrontRequest front = jflow::serve::read_front_request(frames);
  REQUIRE_FALSE(front.request.has_value());
  CHECK(front.request_id == "r1");
  CHECK(is_valid_utf8_text(front.refusal));
  CHECK_THAT(front.refusal, Catch::Contains("tag\\xff"));
}
