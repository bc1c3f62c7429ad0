// MsgpackReader: the bounds-checked msgpack cursor behind every jflow decoder (private to core/).
//
// Why not msgpack::unpack: it builds a whole object tree first (a second copy of every string and
// bin) and its errors say neither where nor what. This reader walks the input once, hands out
// views into it, checks every length against the bytes that remain *before* anything is
// allocated, and keeps a path ("body.docs[2].embedding") so that each DecodeError names the spot.
//
// Errors read "<path>: <what>", e.g. "envelope.routes[1].pod: expected str, got int".
// Thread-safety: one reader per decode call; not shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/codec.hpp"
#include "jflow/value.hpp"

namespace jflow::detail {

class PathScope;

class MsgpackReader {
 public:
  // `root` names the message in errors: "envelope", "body" or "control".
  MsgpackReader(std::string_view input, std::string_view root);

  // Formats the current path and throws DecodeError("<path>: <what>").
  [[noreturn]] void fail(std::string_view what) const;

  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return input_.size() - pos_; }

  // Throws when the input is empty; call first so "empty input" is the message, not "truncated".
  void expect_not_empty() const;
  // Throws when bytes follow the top-level value.
  void expect_end() const;

  // Scalars. Each checks the msgpack type first ("expected str, got int").
  //
  // The encodings every envelope is made of (fixstr, fixint, int64, fixarray, fixmap) are read
  // here, inline; anything else, and every error, goes to the out-of-line *_slow twin, which
  // reads the value again from the same position. So the checks and messages are those of one
  // implementation, and a pea's per-hop decode pays no call per field (about a third of it).
  bool read_bool();
  [[gnu::always_inline]] std::int64_t read_int() {  // any msgpack int that fits int64
    if (pos_ < input_.size()) {
      const std::uint8_t lead = byte_at(pos_);
      if (lead <= 0x7f || lead >= 0xe0) {
        ++pos_;
        return static_cast<std::int8_t>(lead);
      }
      if ((lead == 0xd3 || lead == 0xcf) && remaining() > 8) {
        const std::uint64_t bits = load_be64(pos_ + 1);
        if (lead == 0xd3 || bits >> 63 == 0) {  // a uint64 past int64's range is an error
          pos_ += 9;
          return static_cast<std::int64_t>(bits);
        }
      }
    }
    return read_int_slow();
  }
  [[gnu::always_inline]] std::uint64_t read_uint() {  // any msgpack int >= 0
    if (pos_ < input_.size() && byte_at(pos_) <= 0x7f) return byte_at(pos_++);
    return read_uint_slow();
  }
  double read_number();  // float32, float64, or an int (converted)
  [[gnu::always_inline]] std::string_view read_str() {
    if (pos_ < input_.size()) {
      const std::uint8_t lead = byte_at(pos_);
      const std::size_t length = lead & 0x1fu;
      if ((lead & 0xe0) == 0xa0 && length < remaining()) {
        std::string_view text(input_.data() + pos_ + 1, length);
        pos_ += 1 + length;
        return text;
      }
    }
    return read_str_slow();
  }
  std::string_view read_bin();
  Value read_value();  // nil, bool, int, float or str

  // Container headers. The count is checked against the remaining input: every element needs at
  // least `min_element_bytes` (every map entry at least 2), so a forged header fails here.
  [[gnu::always_inline]] std::uint32_t read_array_header(std::size_t min_element_bytes = 1) {
    if (pos_ < input_.size()) {
      const std::uint8_t lead = byte_at(pos_);
      const std::uint32_t count = lead & 0x0fu;
      if ((lead & 0xf0) == 0x90 && count * min_element_bytes < remaining()) {
        ++pos_;
        return count;
      }
    }
    return read_array_header_slow(min_element_bytes);
  }
  [[gnu::always_inline]] std::uint32_t read_map_header() {
    if (pos_ < input_.size()) {
      const std::uint8_t lead = byte_at(pos_);
      const std::uint32_t count = lead & 0x0fu;
      if ((lead & 0xf0) == 0x80 && std::size_t{count} * 2 < remaining()) {
        ++pos_;
        return count;
      }
    }
    return read_map_header_slow();
  }
  // A map key, which jflow requires to be a str; the error names the map, not the key.
  [[gnu::always_inline]] std::string_view read_key() {
    if (pos_ < input_.size() && (byte_at(pos_) & 0xe0) == 0xa0) return read_str();
    return read_key_slow();
  }

  // Reads a map of str -> Value into `out` (tags, parameters, control fields).
  void read_value_map(ValueMap& out, std::size_t max_entries);

 private:
  // Returns a pointer to the next `n` bytes and moves past them, or throws "truncated".
  const unsigned char* take(std::size_t n) {
    if (n > remaining()) fail_truncated(n - remaining());
    const auto* p = reinterpret_cast<const unsigned char*>(input_.data()) + pos_;
    pos_ += n;
    return p;
  }
  std::uint8_t peek_byte() const {
    if (pos_ >= input_.size()) fail_truncated(1);
    return static_cast<std::uint8_t>(input_[pos_]);
  }
  std::uint8_t byte_at(std::size_t at) const { return static_cast<std::uint8_t>(input_[at]); }
  std::uint64_t load_be64(std::size_t at) const {
    std::uint64_t v;
    std::memcpy(&v, input_.data() + at, sizeof v);
    return __builtin_bswap64(v);  // msgpack is big-endian; jflow builds for little-endian hosts
  }
  // The whole readers, for what the inline fast paths above leave (and every error).
  std::int64_t read_int_slow();
  std::uint64_t read_uint_slow();
  std::string_view read_str_slow();
  std::uint32_t read_array_header_slow(std::size_t min_element_bytes);
  std::uint32_t read_map_header_slow();
  std::string_view read_key_slow();
  [[noreturn]] void fail_truncated(std::size_t missing) const;
  [[noreturn]] void wrong_type(std::string_view expected, std::uint8_t lead) const;
  // Reads the integer whose lead byte is `lead`, as a sign flag plus magnitude bits.
  void read_int_body(std::uint8_t lead, bool& negative, std::uint64_t& bits);
  std::uint32_t read_length(std::size_t width);
  // Fails with "declared <what><count> <unit> but only N bytes remain". Kept out of line so
  // that the message is only built on failure: these checks run for every string and container.
  [[noreturn]] void fail_declared(std::string_view what, std::uint64_t count, std::string_view one,
                                  std::string_view many) const;

  std::string_view input_;
  std::size_t pos_ = 0;
  std::string_view root_;
  const PathScope* innermost_ = nullptr;  // the path, as a chain of scopes on the stack

  friend class PathScope;
};

// One step of the reader's path ("docs", [2]) for the lifetime of the scope. The steps link to
// each other on the stack, so entering one costs two pointer writes and no allocation; the path
// is only spelled out when a decode fails.
class PathScope {
 public:
  PathScope(MsgpackReader& reader, std::string_view key)
      : reader_(reader), outer_(reader.innermost_), key_(key) {
    reader_.innermost_ = this;
  }
  PathScope(MsgpackReader& reader, std::size_t index)
      : reader_(reader), outer_(reader.innermost_), index_(index), is_index_(true) {
    reader_.innermost_ = this;
  }
  ~PathScope() { reader_.innermost_ = outer_; }
  PathScope(const PathScope&) = delete;
  PathScope& operator=(const PathScope&) = delete;

 private:
  friend class MsgpackReader;
  MsgpackReader& reader_;
  const PathScope* outer_;
  std::string_view key_;  // a view into the input or a string literal; both outlive the scope
  std::size_t index_ = 0;
  bool is_index_ = false;
};

// Name of the msgpack type a lead byte starts ("int", "str", "map" ...), for error messages.
std::string_view msgpack_type_name(std::uint8_t lead);

}  // namespace jflow::detail
