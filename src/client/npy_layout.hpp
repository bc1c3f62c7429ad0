// NpyLayout: what an .npy file's header says — dtype, shape and where the elements start — read
// from the file's first bytes, so a reader can take the rows one at a time (jflow run --npy)
// instead of loading the array. Private to jflow_core (client_npy.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/ndarray.hpp"

namespace jflow::detail {

struct NpyLayout {
  DType dtype = DType::float32;
  std::vector<std::uint64_t> shape;
  std::size_t data_start = 0;  // byte offset of the first element
};

// `prefix`: the file's first bytes (at least the whole header); `file_size`: all of it. Throws
// std::runtime_error naming `name` for a bad header, or when the elements the header declares do
// not fill the rest of the file exactly.
NpyLayout read_npy_layout(std::string_view prefix, std::uint64_t file_size,
                          const std::string& name);

}  // namespace jflow::detail
