// Writing small msgpack values straight into a char buffer, in the same smallest forms msgpack-c's
// packer chooses (so the bytes equal what encode_envelope writes). Why not the packer: a pea
// appends one route per hop, and the packer's one stream write per header, through a staging
// sink into a std::string, cost ~1,000 instructions for those ~30 bytes (callgrind, bench_chain).
// Each put_* writes at `p` and returns the position after what it wrote; the caller sizes the
// buffer with the *_size functions first (private to wire/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace jflow::detail {

// `value`'s low `width` bytes (1, 2, 4 or 8), big-endian: one byte swap and one store.
inline char* put_be(char* p, std::uint64_t value, std::size_t width) {
  switch (width) {
    case 1:
      *p = static_cast<char>(value);
      break;
    case 2: {
      const std::uint16_t v = __builtin_bswap16(static_cast<std::uint16_t>(value));
      std::memcpy(p, &v, 2);
      break;
    }
    case 4: {
      const std::uint32_t v = __builtin_bswap32(static_cast<std::uint32_t>(value));
      std::memcpy(p, &v, 4);
      break;
    }
    default: {
      const std::uint64_t v = __builtin_bswap64(value);
      std::memcpy(p, &v, 8);
    }
  }
  return p + width;
}

inline char* put_lead(char* p, std::uint8_t lead) {
  *p = static_cast<char>(lead);
  return p + 1;
}

// An array header: fixarray, array16 or array32.
inline std::size_t array_header_size(std::uint32_t count) {
  return count <= 15 ? 1 : count <= 0xffff ? 3 : 5;
}
inline char* put_array_header(char* p, std::uint32_t count) {
  if (count <= 15) return put_lead(p, static_cast<std::uint8_t>(0x90 | count));
  if (count <= 0xffff) return put_be(put_lead(p, 0xdc), count, 2);
  return put_be(put_lead(p, 0xdd), count, 4);
}

// A str: fixstr, str8, str16 or str32 header, then the bytes. The size must fit 32 bits.
inline std::size_t str_size(std::string_view text) {
  const std::size_t n = text.size();
  return n + (n <= 31 ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5);
}
// A str's header alone: fixstr, str8, str16 or str32, for `n` bytes.
inline char* put_str_header(char* p, std::size_t n) {
  if (n <= 31) return put_lead(p, static_cast<std::uint8_t>(0xa0 | n));
  if (n <= 0xff) return put_be(put_lead(p, 0xd9), n, 1);
  if (n <= 0xffff) return put_be(put_lead(p, 0xda), n, 2);
  return put_be(put_lead(p, 0xdb), n, 4);
}
inline char* put_str(char* p, std::string_view text) {
  p = put_str_header(p, text.size());
  if (!text.empty()) std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

// An int in its smallest form, as msgpack-c's pack_int64: a non-negative value as a positive
// fixint or uint8..uint64, a negative one as a negative fixint or int8..int64.
inline std::size_t int_size(std::int64_t value) {
  if (value >= 0) {
    const auto u = static_cast<std::uint64_t>(value);
    return u < 0x80 ? 1 : u <= 0xff ? 2 : u <= 0xffff ? 3 : u <= 0xffffffff ? 5 : 9;
  }
  return value >= -32             ? 1
         : value >= -0x80         ? 2
         : value >= -0x8000       ? 3
         : value >= -0x80000000LL ? 5
                                  : 9;
}
inline char* put_int(char* p, std::int64_t value) {
  const auto bits = static_cast<std::uint64_t>(value);
  if (value >= 0) {
    if (bits < 0x80) return put_lead(p, static_cast<std::uint8_t>(bits));
    if (bits <= 0xff) return put_be(put_lead(p, 0xcc), bits, 1);
    if (bits <= 0xffff) return put_be(put_lead(p, 0xcd), bits, 2);
    if (bits <= 0xffffffff) return put_be(put_lead(p, 0xce), bits, 4);
    return put_be(put_lead(p, 0xcf), bits, 8);
  }
  if (value >= -32) return put_lead(p, static_cast<std::uint8_t>(bits));
  if (value >= -0x80) return put_be(put_lead(p, 0xd0), bits, 1);
  if (value >= -0x8000) return put_be(put_lead(p, 0xd1), bits, 2);
  if (value >= -0x80000000LL) return put_be(put_lead(p, 0xd2), bits, 4);
  return put_be(put_lead(p, 0xd3), bits, 8);
}

// A map header: fixmap, map16 or map32.
inline char* put_map_header(char* p, std::uint32_t count) {
  if (count <= 15) return put_lead(p, static_cast<std::uint8_t>(0x80 | count));
  if (count <= 0xffff) return put_be(put_lead(p, 0xde), count, 2);
  return put_be(put_lead(p, 0xdf), count, 4);
}

// A bin's header alone: bin8, bin16 or bin32, for `n` bytes.
inline char* put_bin_header(char* p, std::size_t n) {
  if (n <= 0xff) return put_be(put_lead(p, 0xc4), n, 1);
  if (n <= 0xffff) return put_be(put_lead(p, 0xc5), n, 2);
  return put_be(put_lead(p, 0xc6), n, 4);
}
// A bin: its header, then the bytes. The size must fit 32 bits.
inline char* put_bin(char* p, std::string_view bytes) {
  p = put_bin_header(p, bytes.size());
  if (!bytes.empty()) std::memcpy(p, bytes.data(), bytes.size());
  return p + bytes.size();
}

// A uint in its smallest form, as msgpack-c's pack_uint64: a positive fixint or uint8..uint64.
inline char* put_uint(char* p, std::uint64_t value) {
  if (value < 0x80) return put_lead(p, static_cast<std::uint8_t>(value));
  if (value <= 0xff) return put_be(put_lead(p, 0xcc), value, 1);
  if (value <= 0xffff) return put_be(put_lead(p, 0xcd), value, 2);
  if (value <= 0xffffffff) return put_be(put_lead(p, 0xce), value, 4);
  return put_be(put_lead(p, 0xcf), value, 8);
}

// The most any header (str32, bin32, array32, map32) or scalar (uint64, int64, float64) takes.
inline constexpr std::size_t kMaxHeaderSize = 9;

}  // namespace jflow::detail
