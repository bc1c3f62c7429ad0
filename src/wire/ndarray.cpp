// NdArray helpers: the dtype table and the checked element count the codec relies on.
#include "jflow/ndarray.hpp"

#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace jflow {

// Arrays travel as their in-memory bytes and the wire format says "little-endian", so a
// big-endian host would silently reinterpret every element. Fail the build there instead.
static_assert(std::endian::native == std::endian::little,
              "jflow's NdArray wire format assumes a little-endian host");

namespace {

struct DTypeInfo {
  DType dtype;
  std::string_view name;
  std::size_t size;
};

// The names are numpy's, so a Python client can pass `arr.dtype.name` straight through.
constexpr std::array<DTypeInfo, 10> kDTypes{{
    {DType::float32, "float32", 4},
    {DType::float64, "float64", 8},
    {DType::int8, "int8", 1},
    {DType::int16, "int16", 2},
    {DType::int32, "int32", 4},
    {DType::int64, "int64", 8},
    {DType::uint8, "uint8", 1},
    {DType::uint16, "uint16", 2},
    {DType::uint32, "uint32", 4},
    {DType::uint64, "uint64", 8},
}};

const DTypeInfo& info(DType dtype) {
  auto index = static_cast<std::size_t>(dtype);
  if (index >= kDTypes.size()) throw std::invalid_argument("invalid DType value");
  return kDTypes[index];
}

}  // namespace

std::size_t dtype_size(DType dtype) {
  return info(dtype).size;
}

std::string_view dtype_name(DType dtype) {
  return info(dtype).name;
}

std::optional<DType> parse_dtype(std::string_view name) {
  for (const DTypeInfo& entry : kDTypes) {
    if (entry.name == name) return entry.dtype;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> NdArray::element_count() const {
  // An empty shape is a 0-d array (a scalar): one element, as in numpy.
  std::uint64_t count = 1;
  for (std::uint64_t extent : shape) {
    if (extent != 0 && count > std::numeric_limits<std::uint64_t>::max() / extent) {
      return std::nullopt;
    }
    count *= extent;
  }
  return count;
}

NdArray NdArray::from_floats(std::span<const float> values, std::vector<std::uint64_t> shape) {
  NdArray array;
  array.dtype = DType::float32;
  array.shape = shape.empty() ? std::vector<std::uint64_t>{values.size()} : std::move(shape);
  auto count = array.element_count();
  if (!count || *count != values.size()) {
    throw std::invalid_argument("NdArray::from_floats: shape does not hold " +
                                std::to_string(values.size()) + " values");
  }
  array.bytes.resize(values.size_bytes());
  if (!values.empty()) std::memcpy(array.bytes.data(), values.data(), values.size_bytes());
  return array;
}

}  // namespace jflow
