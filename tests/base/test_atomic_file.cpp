// AtomicFileWriter, the one way jflow writes a file it may be killed while writing (issue 16,
// item 4): the old version or the whole new one, never a part; the mode asked for; a target kept
// when asked to; no temporary file left behind, committed or not.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "jflow/atomic_file.hpp"
#include "support/temp_dir.hpp"

using jflow::AtomicFileWriter;
using jflow::test::TempDir;

namespace {

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::size_t files_in(const std::filesystem::path& folder) {
  return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(folder),
                                                std::filesystem::directory_iterator()));
}

}  // namespace

TEST_CASE("AtomicFileWriter: the target is the old file until commit, then the new one",
          "[base][atomic_file]") {
  TempDir dir("atomic");
  const auto target = dir.write("state.bin", "old");
  {
    AtomicFileWriter writer(target, 0600);
    writer.write("new ");
    writer.write("bytes");
    CHECK(read_text(target) == "old");
    CHECK(writer.commit());
  }
  CHECK(read_text(target) == "new bytes");
  struct stat info {};
  REQUIRE(::stat(target.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  CHECK(files_in(dir.path()) == 1);  // no temporary file left
}

TEST_CASE("AtomicFileWriter: without commit nothing changes and nothing is left",
          "[base][atomic_file]") {
  TempDir dir("atomic");
  const auto target = dir.write("state.bin", "old");
  {
    AtomicFileWriter writer(target);
    writer.write("half");
  }
  CHECK(read_text(target) == "old");
  CHECK(files_in(dir.path()) == 1);
}

TEST_CASE("AtomicFileWriter: Existing::keep leaves a target that exists, and says so",
          "[base][atomic_file]") {
  TempDir dir("atomic");
  const auto taken = dir.write("taken", "first");
  {
    AtomicFileWriter writer(taken);
    writer.write("second");
    CHECK_FALSE(writer.commit(AtomicFileWriter::Existing::keep));
  }
  CHECK(read_text(taken) == "first");
  const auto fresh = dir.path() / "fresh";
  {
    AtomicFileWriter writer(fresh);
    writer.write("made");
    CHECK(writer.commit(AtomicFileWriter::Existing::keep));
  }
  CHECK(read_text(fresh) == "made");
  CHECK(files_in(dir.path()) == 2);
}

TEST_CASE("AtomicFileWriter: a symbolic link at the target is replaced, not written through",
          "[base][atomic_file]") {
  TempDir dir("atomic");
  const auto victim = dir.write("victim", "untouched");
  const auto target = dir.path() / "state.bin";
  std::filesystem::create_symlink(victim, target);
  {
    AtomicFileWriter writer(target);
    writer.write("mine");
    CHECK(writer.commit());
  }
  CHECK(read_text(victim) == "untouched");
  CHECK_FALSE(std::filesystem::is_symlink(target));
  CHECK(read_text(target) == "mine");
}
