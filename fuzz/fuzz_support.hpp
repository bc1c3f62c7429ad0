// Helpers shared by the fuzz targets: the input as text, split into frames, or written to a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

namespace jflow::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A multipart message as the corpus stores it: each frame is a 4-byte little-endian length and
// that many bytes; a last length that runs past the input takes what is left.
inline std::vector<std::string_view> split_frames(std::string_view input) {
  std::vector<std::string_view> frames;
  while (input.size() >= 4) {
    std::uint32_t length = 0;
    std::memcpy(&length, input.data(), 4);
    input.remove_prefix(4);
    const std::size_t take = length < input.size() ? length : input.size();
    frames.push_back(input.substr(0, take));
    input.remove_prefix(take);
  }
  return frames;
}

inline std::string join_frames(const std::vector<std::string>& frames) {
  std::string out;
  for (const std::string& frame : frames) {
    const auto length = static_cast<std::uint32_t>(frame.size());
    out.append(reinterpret_cast<const char*>(&length), 4);
    out += frame;
  }
  return out;
}

// A folder of this fuzzing process's own (removed at exit), for decoders that read files.
inline const std::filesystem::path& scratch_dir() {
  static const struct Scratch {
    std::filesystem::path path;
    Scratch() {
      path = std::filesystem::temp_directory_path() / ("jflow-fuzz-" + std::to_string(::getpid()));
      std::filesystem::create_directories(path);
    }
    ~Scratch() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  } scratch;
  return scratch.path;
}

inline void write_file(const std::filesystem::path& file, std::string_view bytes) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace jflow::fuzz
