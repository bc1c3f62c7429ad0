// Checking and making traceparents. The ids come from a per-thread generator seeded once from
// std::random_device: unique enough for tracing, and no system call per request.
#include "wire/traceparent.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <stdexcept>

namespace jflow {
namespace {

constexpr std::size_t kLength = kTraceparentLength;  // 2 + 1 + 32 + 1 + 16 + 1 + 2
constexpr char kHex[] = "0123456789abcdef";

bool lower_hex(std::string_view part) {
  for (char c : part) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool all_zeros(std::string_view part) {
  return part.find_first_not_of('0') == std::string_view::npos;
}

// "000102...ff": the two lowercase hex digits of every byte value, so a 64-bit id is written in
// eight two-byte copies instead of sixteen digit lookups.
constexpr std::array<char, 512> kHexPairs = [] {
  std::array<char, 512> pairs{};
  for (std::size_t i = 0; i < 256; ++i) {
    pairs[2 * i] = kHex[i >> 4];
    pairs[2 * i + 1] = kHex[i & 0xf];
  }
  return pairs;
}();

// Writes `value` as 16 lowercase hex digits at `at` (no appends: the gateway makes one
// traceparent per request, and 48 checked appends cost more than the random numbers).
void write_hex16(char* at, std::uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    std::memcpy(at + 2 * i, &kHexPairs[2 * (value & 0xff)], 2);
    value >>= 8;
  }
}

}  // namespace

std::optional<std::string> traceparent_problem(std::string_view text) {
  const std::string expected = " (expected 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>)";
  if (text.size() != kLength || text[2] != '-' || text[35] != '-' || text[52] != '-')
    return "malformed" + expected;
  const std::string_view version = text.substr(0, 2), trace = text.substr(3, 32),
                         parent = text.substr(36, 16), flags = text.substr(53, 2);
  if (!lower_hex(version) || !lower_hex(trace) || !lower_hex(parent) || !lower_hex(flags))
    return "not lowercase hex" + expected;
  if (version != "00") return "unsupported version '" + std::string(version) + "' (only 00)";
  if (all_zeros(trace)) return "the trace id is all zeros";
  if (all_zeros(parent)) return "the parent id is all zeros";
  return std::nullopt;
}

namespace {

// Writes a fresh traceparent's kLength characters at `out`.
void write_new_traceparent(char* out) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uint64_t high = 0, low = 0, parent = 0;
  do {
    high = random();
    low = random();
  } while (high == 0 && low == 0);
  do parent = random();
  while (parent == 0);
  std::memcpy(out, "00-################################-################-01", kLength);
  write_hex16(out + 3, high);
  write_hex16(out + 19, low);
  write_hex16(out + 36, parent);
}

}  // namespace

std::string new_traceparent() {
  std::string out(kLength, '\0');
  write_new_traceparent(out.data());
  return out;
}

InlineTraceparent::InlineTraceparent(std::string_view text) {
  if (auto problem = traceparent_problem(text)) {
    throw std::invalid_argument("traceparent: " + *problem);
  }
  std::memcpy(text_.data(), text.data(), kLength);
  size_ = kLength;
}

InlineTraceparent InlineTraceparent::fresh() {
  InlineTraceparent out;
  write_new_traceparent(out.text_.data());
  out.size_ = kLength;
  return out;
}

std::string_view trace_id(std::string_view traceparent) {
  return traceparent.size() == kLength ? traceparent.substr(3, 32) : std::string_view{};
}

}  // namespace jflow
