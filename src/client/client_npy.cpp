// read_npy / parse_npy: NumPy's .npy format (numpy.lib.format), versions 1.0, 2.0 and 3.0.
//   magic "\x93NUMPY", major, minor, header length (uint16 for 1.x, uint32 for 2.x/3.x, LE),
//   header: a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//   then the elements, C order.
// Only what jflow's NdArray can hold is accepted; anything else is an error naming the problem.
#include <cctype>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "client/npy_layout.hpp"
#include "jflow/client.hpp"

namespace jflow {

namespace {

class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error(name_ + ": npy header: " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!consume(c)) fail(std::string("expected '") + c + "' at offset " + std::to_string(pos_));
  }
  std::string string_literal() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      fail("expected a quoted string at offset " + std::to_string(pos_));
    const char quote = text_[pos_++];
    const std::size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }
  bool boolean() {
    skip_space();
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    fail("expected True or False at offset " + std::to_string(pos_));
  }
  std::vector<std::uint64_t> shape() {
    expect('(');
    std::vector<std::uint64_t> dims;
    while (!consume(')')) {
      skip_space();
      std::uint64_t value = 0;
      std::size_t digits = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        const std::uint64_t digit = static_cast<std::uint64_t>(text_[pos_++] - '0');
        if (value > (std::numeric_limits<std::uint64_t>::max() - digit) / 10)
          fail("shape extent too large");
        value = value * 10 + digit;
        ++digits;
      }
      if (digits == 0) fail("expected a shape extent at offset " + std::to_string(pos_));
      if (dims.size() >= 32) fail("more than 32 dimensions");
      dims.push_back(value);
      if (!consume(',')) {
        expect(')');
        break;
      }
    }
    return dims;
  }
  bool at_end() {
    skip_space();
    return pos_ >= text_.size();
  }

 private:
  std::string_view text_;
  const std::string& name_;
  std::size_t pos_ = 0;
};

DType dtype_of_descr(const std::string& descr, const HeaderParser& parser) {
  if (descr.size() < 2) parser.fail("unsupported dtype '" + descr + "'");
  const char order = descr[0];
  const std::string kind = descr.substr(1);
  static const std::pair<const char*, DType> kKinds[] = {
      {"f4", DType::float32}, {"f8", DType::float64}, {"i1", DType::int8},  {"i2", DType::int16},
      {"i4", DType::int32},   {"i8", DType::int64},   {"u1", DType::uint8}, {"u2", DType::uint16},
      {"u4", DType::uint32},  {"u8", DType::uint64}};
  for (const auto& [name, dtype] : kKinds) {
    if (kind != name) continue;
    const bool one_byte = dtype_size(dtype) == 1;
    if (order == '<' || (order == '|' && one_byte) || (order == '=' && one_byte)) return dtype;
    if (order == '>') parser.fail("big-endian dtype '" + descr + "' (save it little-endian)");
    parser.fail("unsupported byte order in dtype '" + descr + "'");
  }
  parser.fail("unsupported dtype '" + descr + "' (jflow takes f4 f8 i1 i2 i4 i8 u1 u2 u4 u8)");
}

}  // namespace

namespace detail {

NpyLayout read_npy_layout(std::string_view bytes, std::uint64_t file_size,
                          const std::string& name) {
  static constexpr std::string_view kMagic("\x93NUMPY", 6);
  if (bytes.size() < 10 || bytes.substr(0, 6) != kMagic)
    throw std::runtime_error(name + ": not an .npy file (bad magic)");
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  const unsigned major = byte(6);
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = byte(8) | (std::size_t{byte(9)} << 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw std::runtime_error(name + ": npy header: truncated");
    header_len = byte(8) | (std::size_t{byte(9)} << 8) | (std::size_t{byte(10)} << 16) |
                 (std::size_t{byte(11)} << 24);
    header_start = 12;
  } else {
    throw std::runtime_error(name + ": unsupported .npy format version " + std::to_string(major));
  }
  if (header_len > bytes.size() - header_start)
    throw std::runtime_error(name + ": npy header: declares " + std::to_string(header_len) +
                             " bytes but only " + std::to_string(bytes.size() - header_start) +
                             " remain");
  HeaderParser parser(bytes.substr(header_start, header_len), name);
  std::optional<std::string> descr;
  std::optional<bool> fortran;
  std::optional<std::vector<std::uint64_t>> shape;
  parser.expect('{');
  while (!parser.consume('}')) {
    const std::string key = parser.string_literal();
    parser.expect(':');
    if (key == "descr" && !descr) {
      descr = parser.string_literal();
    } else if (key == "fortran_order" && !fortran) {
      fortran = parser.boolean();
    } else if (key == "shape" && !shape) {
      shape = parser.shape();
    } else {
      parser.fail("unexpected or repeated key '" + key + "'");
    }
    if (!parser.consume(',')) {
      parser.expect('}');
      break;
    }
  }
  if (!parser.at_end()) parser.fail("unexpected text after the dict");
  if (!descr || !fortran || !shape) parser.fail("needs descr, fortran_order and shape");
  if (*fortran) parser.fail("fortran_order arrays are not supported (save in C order)");
  NpyLayout layout;
  layout.dtype = dtype_of_descr(*descr, parser);
  layout.shape = std::move(*shape);
  layout.data_start = header_start + header_len;
  NdArray probe;
  probe.dtype = layout.dtype;
  probe.shape = layout.shape;
  const std::optional<std::uint64_t> count = probe.element_count();
  const std::uint64_t available = file_size - layout.data_start;
  if (!count || *count > available / dtype_size(layout.dtype) ||
      *count * dtype_size(layout.dtype) != available) {
    throw std::runtime_error(name + ": npy data is " + std::to_string(available) +
                             " bytes but dtype " + *descr + " x shape needs " +
                             (count ? std::to_string(*count * dtype_size(layout.dtype))
                                    : std::string("more than 2^64")));
  }
  return layout;
}

}  // namespace detail

NdArray parse_npy(std::string_view bytes, const std::string& name) {
  detail::NpyLayout layout = detail::read_npy_layout(bytes, bytes.size(), name);
  NdArray array;
  array.dtype = layout.dtype;
  array.shape = std::move(layout.shape);
  array.bytes.assign(bytes.substr(layout.data_start));
  return array;
}

NdArray read_npy(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + file.string() + "'");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_npy(bytes, file.string());
}

}  // namespace jflow
