// CurveZMQ key files: a written pair reads back, and every kind of broken file is refused with a
// message naming the file and, where there is one, the line.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include "jflow/curve_keys.hpp"
#include "support/temp_dir.hpp"

using Catch::Matchers::Contains;
namespace fs = std::filesystem;

using jflow::test::TempDir;

namespace {

constexpr fs::perms kOwnerOnly = fs::perms::owner_read | fs::perms::owner_write;

unsigned mode_of(const fs::path& p) {
  struct stat info {};
  REQUIRE(::stat(p.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

std::string secret_text(const jflow::CurveKeyPair& keys) {
  return "public-key = \"" + keys.public_key + "\"\nsecret-key = \"" + keys.secret_key + "\"\n";
}

// The message read_curve_secret throws for `text` in a 0600 file called NAME.
std::string secret_error(const TempDir& dir, const std::string& text,
                         const std::string& name = "bad.secret") {
  fs::path file = dir.write(name, text, kOwnerOnly);
  try {
    jflow::read_curve_secret(file);
  } catch (const jflow::KeyFileError& e) {
    std::string message = e.what();
    CHECK_THAT(message, Contains(file.string()));
    return message;
  }
  FAIL("read_curve_secret accepted:\n" << text);
  return {};
}

}  // namespace

TEST_CASE("CURVE keys: generated pairs are 40-character Z85 keys that belong together", "[curve]") {
  REQUIRE(jflow::curve_available());
  jflow::CurveKeyPair a = jflow::generate_curve_keys();
  jflow::CurveKeyPair b = jflow::generate_curve_keys();
  CHECK(a.public_key.size() == 40);
  CHECK(a.secret_key.size() == 40);
  CHECK(a.public_key != b.public_key);
  CHECK(a.secret_key != b.secret_key);
  CHECK(jflow::curve_public_of(a.secret_key) == a.public_key);
  CHECK(jflow::curve_public_of(b.secret_key) == b.public_key);
  CHECK_THROWS_AS(jflow::curve_public_of("short"), std::runtime_error);
  CHECK_THROWS_AS(jflow::curve_public_of(std::string(40, ' ')), std::runtime_error);
}

TEST_CASE("CURVE keys: a written pair reads back, with the files' modes", "[curve]") {
  TempDir dir("keys");
  jflow::CurveKeyPair keys = jflow::generate_curve_keys();
  jflow::write_curve_keys(dir.path() / "sub", "host-a", keys);
  fs::path pub = dir.path() / "sub" / "host-a.pub";
  fs::path secret = dir.path() / "sub" / "host-a.secret";
  CHECK(mode_of(secret) == 0600);
  CHECK((mode_of(pub) & 0600) == 0600);

  jflow::CurveKeyPair read = jflow::read_curve_secret(secret);
  CHECK(read.public_key == keys.public_key);
  CHECK(read.secret_key == keys.secret_key);
  CHECK(jflow::read_curve_public(pub) == keys.public_key);
  CHECK(jflow::read_curve_public(secret) == keys.public_key);

  // The .pub file shares the public key only.
  std::ifstream in(pub);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, !Contains(keys.secret_key));
  CHECK_THAT(text, !Contains("secret-key ="));
  // No temporary file is left next to them.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path() / "sub")) ++entries;
  CHECK(entries == 2);
}

TEST_CASE("CURVE keys: existing files are kept unless overwrite is asked for", "[curve]") {
  TempDir dir("keys");
  jflow::CurveKeyPair first = jflow::generate_curve_keys();
  jflow::CurveKeyPair second = jflow::generate_curve_keys();
  jflow::write_curve_keys(dir.path(), "h", first);
  CHECK_THROWS_WITH(jflow::write_curve_keys(dir.path(), "h", second), Contains("exists already"));
  CHECK(jflow::read_curve_secret(dir.path() / "h.secret").secret_key == first.secret_key);

  // Only one of the two present still stops the write, and writes neither.
  fs::remove(dir.path() / "h.secret");
  CHECK_THROWS_AS(jflow::write_curve_keys(dir.path(), "h", second), jflow::KeyFileError);
  CHECK(!fs::exists(dir.path() / "h.secret"));
  CHECK(jflow::read_curve_public(dir.path() / "h.pub") == first.public_key);

  jflow::write_curve_keys(dir.path(), "h", second, true);
  CHECK(jflow::read_curve_secret(dir.path() / "h.secret").secret_key == second.secret_key);
  CHECK(jflow::read_curve_public(dir.path() / "h.pub") == second.public_key);
  CHECK(mode_of(dir.path() / "h.secret") == 0600);
}

TEST_CASE("CURVE keys: bad names and mismatched pairs are not written", "[curve]") {
  TempDir dir("keys");
  jflow::CurveKeyPair keys = jflow::generate_curve_keys();
  for (const char* name : {"", ".", "..", "a/b", "/abs"}) {
    INFO(name);
    CHECK_THROWS_AS(jflow::write_curve_keys(dir.path(), name, keys), jflow::KeyFileError);
  }
  jflow::CurveKeyPair mixed{jflow::generate_curve_keys().public_key, keys.secret_key};
  CHECK_THROWS_AS(jflow::write_curve_keys(dir.path(), "mixed", mixed), jflow::KeyFileError);
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("CURVE keys: every malformed key file is refused, naming file and line", "[curve]") {
  TempDir dir("keys");
  jflow::CurveKeyPair keys = jflow::generate_curve_keys();
  jflow::CurveKeyPair other = jflow::generate_curve_keys();
  const std::string pub_line = "public-key = \"" + keys.public_key + "\"\n";
  const std::string secret_line = "secret-key = \"" + keys.secret_key + "\"\n";

  SECTION("comments, blank lines and indentation are fine") {
    fs::path file = dir.write(
        "ok.secret", "# a comment\n\n  " + pub_line + "\t" + secret_line + "# end\n", kOwnerOnly);
    CHECK(jflow::read_curve_secret(file).secret_key == keys.secret_key);
  }
  SECTION("missing file") {
    CHECK_THROWS_WITH(jflow::read_curve_secret(dir.path() / "none.secret"),
                      Contains("none.secret: no such file"));
    CHECK_THROWS_WITH(jflow::read_curve_public(dir.path() / "none.pub"),
                      Contains("none.pub: no such file"));
  }
  SECTION("unreadable: a folder where the file should be") {
    fs::create_directories(dir.path() / "folder.pub");
    CHECK_THROWS_WITH(jflow::read_curve_public(dir.path() / "folder.pub"),
                      Contains("folder.pub: cannot read"));
  }
  SECTION("unknown key name") {
    CHECK_THAT(secret_error(dir, pub_line + "private-key = \"" + keys.secret_key + "\"\n"),
               Contains("bad.secret:2: unknown key name 'private-key'"));
  }
  SECTION("a line that is not name = value") {
    // (Not a bare key as the bad line: Z85 has '=' among its characters.)
    CHECK_THAT(secret_error(dir, pub_line + "secret-key\n"), Contains("bad.secret:2: expected"));
  }
  SECTION("unquoted or unterminated values") {
    CHECK_THAT(secret_error(dir, "public-key = " + keys.public_key + "\n" + secret_line),
               Contains("bad.secret:1: public-key must be a quoted string"));
    CHECK_THAT(secret_error(dir, pub_line + "secret-key = \"" + keys.secret_key + "\n"),
               Contains("bad.secret:2: secret-key must be a quoted string"));
    CHECK_THAT(secret_error(dir, pub_line + "secret-key = \"" + keys.secret_key + "\" x\n"),
               Contains("bad.secret:2: unexpected text"));
  }
  SECTION("a key given twice") {
    CHECK_THAT(secret_error(dir, pub_line + secret_line + pub_line),
               Contains("bad.secret:3: public-key given twice (first on line 1)"));
  }
  SECTION("missing secret-key, missing public-key") {
    CHECK_THAT(secret_error(dir, pub_line), Contains("no secret-key line"));
    CHECK_THAT(secret_error(dir, secret_line), Contains("no public-key line"));
    fs::path empty_pub = dir.write("empty.pub", "# nothing\n", kOwnerOnly);
    CHECK_THROWS_WITH(jflow::read_curve_public(empty_pub), Contains("empty.pub: no public-key"));
  }
  SECTION("wrong length") {
    CHECK_THAT(secret_error(dir, pub_line + "secret-key = \"" + keys.secret_key.substr(1) + "\"\n"),
               Contains("bad.secret:2: secret-key has 39 characters, a Z85 key has 40"));
    fs::path pub = dir.write("long.pub", "public-key = \"" + keys.public_key + "A\"\n", kOwnerOnly);
    CHECK_THROWS_WITH(jflow::read_curve_public(pub), Contains("long.pub:1: public-key has 41"));
  }
  SECTION("not Z85") {
    std::string bad = keys.secret_key;
    bad[4] = '~';
    CHECK_THAT(secret_error(dir, pub_line + "secret-key = \"" + bad + "\"\n"),
               Contains("bad.secret:2: secret-key is not Z85: '~' at position 5"));
    // Every character in the alphabet, but the first group of five exceeds 2^32.
    std::string overflow = "#####" + keys.public_key.substr(5);
    fs::path pub = dir.write("overflow.pub", "public-key = \"" + overflow + "\"\n", kOwnerOnly);
    CHECK_THROWS_WITH(jflow::read_curve_public(pub), Contains("overflow.pub:1: public-key is not"));
  }
  SECTION("a public key that is not the secret key's") {
    std::string text = "public-key = \"" + other.public_key + "\"\n" + secret_line;
    CHECK_THAT(secret_error(dir, text),
               Contains("bad.secret:1: public-key does not belong to the secret-key on line 2"));
    fs::path file = dir.write("mixed.secret", text, kOwnerOnly);
    CHECK_THROWS_AS(jflow::read_curve_public(file), jflow::KeyFileError);
  }
  SECTION("a .secret file readable by group or others") {
    for (fs::perms extra : {fs::perms::group_read, fs::perms::others_read}) {
      fs::path file = dir.write("open.secret", secret_text(keys), kOwnerOnly | extra);
      CHECK_THROWS_WITH(jflow::read_curve_secret(file),
                        Contains("open.secret: readable by others") && Contains("chmod 600 it"));
      CHECK_THROWS_WITH(jflow::read_curve_public(file), Contains("chmod 600 it"));
    }
    // A .pub file may be world-readable; that is what it is for.
    fs::path pub = dir.write("open.pub", pub_line, kOwnerOnly | fs::perms::others_read);
    CHECK(jflow::read_curve_public(pub) == keys.public_key);
    // A secret key outside a .secret file still needs the .secret file's protection.
    fs::path leaked =
        dir.write("leaked.pub", secret_text(keys), kOwnerOnly | fs::perms::group_read);
    CHECK_THROWS_WITH(jflow::read_curve_public(leaked), Contains("chmod 600 it"));
  }
}
