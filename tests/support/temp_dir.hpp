// TempDir: a fresh folder under the system temp dir for one test's files, removed with everything
// in it when the test ends. mkdtemp makes the name unique across processes, tests and repeats.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>

namespace jflow::test {

class TempDir {
 public:
  // `what` goes into the folder's name, so a folder left by a crashed test says whose it was.
  explicit TempDir(std::string_view what = "test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("jflow-" + std::string(what) + "-XXXXXX"))
            .string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot make a temporary folder " + pattern);
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `bytes` to `name` under the folder (making the folders on the way); returns its path.
  std::filesystem::path write(const std::string& name, std::string_view bytes) const {
    const std::filesystem::path file = path_ / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));
    return file;
  }
  // The same, then sets the file's permission bits to exactly `mode`.
  std::filesystem::path write(const std::string& name, std::string_view bytes,
                              std::filesystem::perms mode) const {
    std::filesystem::path file = write(name, bytes);
    std::filesystem::permissions(file, mode, std::filesystem::perm_options::replace);
    return file;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace jflow::test
