// NdArray: an n-dimensional array carried as raw bytes plus dtype and shape.
// On the wire it is one msgpack bin (see docs/PROTOCOL.md), so encoding is a memcpy and an
// executor can view the elements in place (`view<float>()`), without a per-element decode.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jflow {

enum class DType : std::uint8_t {
  float32,
  float64,
  int8,
  int16,
  int32,
  int64,
  uint8,
  uint16,
  uint32,
  uint64
};

std::size_t dtype_size(DType dtype);
std::string_view dtype_name(DType dtype);
std::optional<DType> parse_dtype(std::string_view name);

struct NdArray {
  DType dtype = DType::float32;
  std::vector<std::uint64_t> shape;
  std::string
      bytes;  // little-endian elements, row-major; size == dtype_size(dtype) * element_count()

  bool empty() const { return shape.empty() && bytes.empty(); }
  // Product of shape, or nullopt when it overflows 64 bits.
  std::optional<std::uint64_t> element_count() const;

  template <typename T>
  std::span<const T> view() const {
    return {reinterpret_cast<const T*>(bytes.data()), bytes.size() / sizeof(T)};
  }
  static NdArray from_floats(std::span<const float> values, std::vector<std::uint64_t> shape = {});

  bool operator==(const NdArray&) const = default;
};

}  // namespace jflow
