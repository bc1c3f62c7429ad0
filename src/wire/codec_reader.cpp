// MsgpackReader: see codec_reader.hpp for why jflow reads msgpack with its own cursor.
#include "wire/codec_reader.hpp"

#include <bit>
#include <cstring>
#include <limits>

#include "base/utf8.hpp"

namespace jflow::detail {

namespace {

// msgpack stores multi-byte numbers big-endian, in 1, 2, 4 or 8 bytes. One load and one byte
// swap per width (a byte-at-a-time loop was a tenth of an envelope's decode time).
std::uint64_t load_be(const unsigned char* p, std::size_t width) {
  static_assert(std::endian::native == std::endian::little);
  switch (width) {
    case 1:
      return p[0];
    case 2: {
      std::uint16_t v;
      std::memcpy(&v, p, 2);
      return __builtin_bswap16(v);
    }
    case 4: {
      std::uint32_t v;
      std::memcpy(&v, p, 4);
      return __builtin_bswap32(v);
    }
    default: {
      std::uint64_t v;
      std::memcpy(&v, p, 8);
      return __builtin_bswap64(v);
    }
  }
}

// "1 byte", "9 bytes": messages are read by people, so get the number right.
std::string count_of(std::uint64_t n, std::string_view one, std::string_view many) {
  return std::to_string(n) + ' ' + std::string(n == 1 ? one : many);
}

bool is_int(std::uint8_t lead) {
  return lead <= 0x7f || lead >= 0xe0 || (lead >= 0xcc && lead <= 0xd3);
}

}  // namespace

std::string_view msgpack_type_name(std::uint8_t lead) {
  if (is_int(lead)) return "int";
  if (lead <= 0x8f || lead == 0xde || lead == 0xdf) return "map";
  if (lead <= 0x9f || lead == 0xdc || lead == 0xdd) return "array";
  if (lead <= 0xbf || (lead >= 0xd9 && lead <= 0xdb)) return "str";
  switch (lead) {
    case 0xc0:
      return "nil";
    case 0xc2:
    case 0xc3:
      return "bool";
    case 0xc4:
    case 0xc5:
    case 0xc6:
      return "bin";
    case 0xca:
    case 0xcb:
      return "float";
    case 0xc1:
      return "the reserved byte 0xc1";
    default:
      return "ext";  // 0xc7-0xc9, 0xd4-0xd8: jflow defines no extension types
  }
}

MsgpackReader::MsgpackReader(std::string_view input, std::string_view root)
    : input_(input), root_(root) {}

void MsgpackReader::fail(std::string_view what) const {
  std::string message(root_);
  std::vector<const PathScope*> steps;  // innermost first
  for (const PathScope* step = innermost_; step != nullptr; step = step->outer_) {
    steps.push_back(step);
  }
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    if ((*it)->is_index_) {
      message += '[';
      message += std::to_string((*it)->index_);
      message += ']';
    } else {
      message += '.';
      message += (*it)->key_;
    }
  }
  message += ": ";
  message += what;
  // Keys and names in the message are the sender's bytes: the reply that carries it must still
  // be valid UTF-8.
  throw DecodeError(escape_invalid_utf8(message));
}

void MsgpackReader::expect_not_empty() const {
  if (input_.empty()) fail("empty input");
}

void MsgpackReader::expect_end() const {
  if (pos_ != input_.size())
    fail(count_of(remaining(), "trailing byte", "trailing bytes") + " after the message");
}

void MsgpackReader::fail_truncated(std::size_t missing) const {
  fail("truncated: needed " + count_of(missing, "more byte", "more bytes") + " at offset " +
       std::to_string(pos_));
}

void MsgpackReader::wrong_type(std::string_view expected, std::uint8_t lead) const {
  fail("expected " + std::string(expected) + ", got " + std::string(msgpack_type_name(lead)));
}

std::uint32_t MsgpackReader::read_length(std::size_t width) {
  return static_cast<std::uint32_t>(load_be(take(width), width));
}

void MsgpackReader::fail_declared(std::string_view what, std::uint64_t count, std::string_view one,
                                  std::string_view many) const {
  fail("declared " + std::string(what) + count_of(count, one, many) + " but only " +
       count_of(remaining(), "byte remains", "bytes remain"));
}

bool MsgpackReader::read_bool() {
  std::uint8_t lead = peek_byte();
  if (lead != 0xc2 && lead != 0xc3) wrong_type("bool", lead);
  ++pos_;
  return lead == 0xc3;
}

void MsgpackReader::read_int_body(std::uint8_t lead, bool& negative, std::uint64_t& bits) {
  negative = false;
  if (lead <= 0x7f) {
    bits = lead;
  } else if (lead >= 0xe0) {
    negative = true;
    bits = static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int8_t>(lead)));
  } else if (lead <= 0xcf) {  // uint8 .. uint64
    std::size_t width = std::size_t{1} << (lead - 0xcc);
    bits = load_be(take(width), width);
  } else {  // int8 .. int64: sign-extend from the stored width
    std::size_t width = std::size_t{1} << (lead - 0xd0);
    std::uint64_t raw = load_be(take(width), width);
    unsigned shift = static_cast<unsigned>(64 - 8 * width);
    auto value = static_cast<std::int64_t>(raw << shift) >> shift;
    negative = value < 0;
    bits = static_cast<std::uint64_t>(value);
  }
}

std::int64_t MsgpackReader::read_int_slow() {
  std::uint8_t lead = peek_byte();
  if (!is_int(lead)) wrong_type("int", lead);
  ++pos_;
  bool negative = false;
  std::uint64_t bits = 0;
  read_int_body(lead, negative, bits);
  if (!negative && bits > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    fail("uint64 " + std::to_string(bits) + " does not fit int64");
  }
  return static_cast<std::int64_t>(bits);
}

std::uint64_t MsgpackReader::read_uint_slow() {
  std::uint8_t lead = peek_byte();
  if (!is_int(lead)) wrong_type("uint", lead);
  ++pos_;
  bool negative = false;
  std::uint64_t bits = 0;
  read_int_body(lead, negative, bits);
  if (negative) {
    fail("expected uint, got negative int " + std::to_string(static_cast<std::int64_t>(bits)));
  }
  return bits;
}

double MsgpackReader::read_number() {
  std::uint8_t lead = peek_byte();
  if (lead == 0xca) {
    ++pos_;
    return std::bit_cast<float>(static_cast<std::uint32_t>(load_be(take(4), 4)));
  }
  if (lead == 0xcb) {
    ++pos_;
    return std::bit_cast<double>(load_be(take(8), 8));
  }
  if (!is_int(lead)) wrong_type("float", lead);
  ++pos_;
  bool negative = false;
  std::uint64_t bits = 0;
  read_int_body(lead, negative, bits);
  return negative ? static_cast<double>(static_cast<std::int64_t>(bits))
                  : static_cast<double>(bits);
}

std::string_view MsgpackReader::read_str_slow() {
  std::uint8_t lead = peek_byte();
  std::uint32_t length = 0;
  if (lead >= 0xa0 && lead <= 0xbf) {
    ++pos_;
    length = lead & 0x1fu;
  } else if (lead >= 0xd9 && lead <= 0xdb) {
    ++pos_;
    length = read_length(std::size_t{1} << (lead - 0xd9));
  } else {
    wrong_type("str", lead);
  }
  if (length > remaining()) fail_declared("str of ", length, "byte", "bytes");
  const auto* p = take(length);
  return {reinterpret_cast<const char*>(p), length};
}

std::string_view MsgpackReader::read_bin() {
  std::uint8_t lead = peek_byte();
  if (lead < 0xc4 || lead > 0xc6) wrong_type("bin", lead);
  ++pos_;
  std::uint32_t length = read_length(std::size_t{1} << (lead - 0xc4));
  if (length > remaining()) fail_declared("bin of ", length, "byte", "bytes");
  const auto* p = take(length);
  return {reinterpret_cast<const char*>(p), length};
}

Value MsgpackReader::read_value() {
  std::uint8_t lead = peek_byte();
  if (lead == 0xc0) {
    ++pos_;
    return std::monostate{};
  }
  if (lead == 0xc2 || lead == 0xc3) return read_bool();
  if (lead == 0xca || lead == 0xcb) return read_number();
  if (is_int(lead)) return read_int();
  if ((lead >= 0xa0 && lead <= 0xbf) || (lead >= 0xd9 && lead <= 0xdb)) {
    return std::string(read_str());
  }
  wrong_type("nil, bool, int, float or str", lead);
}

std::uint32_t MsgpackReader::read_array_header_slow(std::size_t min_element_bytes) {
  std::uint8_t lead = peek_byte();
  std::uint32_t count = 0;
  if (lead >= 0x90 && lead <= 0x9f) {
    ++pos_;
    count = lead & 0x0fu;
  } else if (lead == 0xdc || lead == 0xdd) {
    ++pos_;
    count = read_length(lead == 0xdc ? 2 : 4);
  } else {
    wrong_type("array", lead);
  }
  // 64-bit product: count < 2^32 and min_element_bytes is a small constant, so no overflow.
  if (std::uint64_t{count} * min_element_bytes > remaining()) {
    fail_declared("", count, "element", "elements");
  }
  return count;
}

std::uint32_t MsgpackReader::read_map_header_slow() {
  std::uint8_t lead = peek_byte();
  std::uint32_t count = 0;
  if (lead >= 0x80 && lead <= 0x8f) {
    ++pos_;
    count = lead & 0x0fu;
  } else if (lead == 0xde || lead == 0xdf) {
    ++pos_;
    count = read_length(lead == 0xde ? 2 : 4);
  } else {
    wrong_type("map", lead);
  }
  if (std::uint64_t{count} * 2 > remaining()) fail_declared("", count, "entry", "entries");
  return count;
}

std::string_view MsgpackReader::read_key_slow() {
  std::uint8_t lead = peek_byte();
  bool is_str = (lead >= 0xa0 && lead <= 0xbf) || (lead >= 0xd9 && lead <= 0xdb);
  if (!is_str) fail("map key must be str, got " + std::string(msgpack_type_name(lead)));
  return read_str();
}

void MsgpackReader::read_value_map(ValueMap& out, std::size_t max_entries) {
  std::uint32_t count = read_map_header();
  if (count > max_entries) {
    fail(count_of(count, "entry", "entries") + " exceed the limit of " +
         std::to_string(max_entries));
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string_view key = read_key();
    auto [it, inserted] = out.try_emplace(std::string(key));
    if (!inserted) fail("duplicate key '" + std::string(key) + "'");
    PathScope scope(*this, key);
    it->second = read_value();
  }
}

}  // namespace jflow::detail
