#include "jflow/curve_keys.hpp"

#include "jflow/atomic_file.hpp"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include "base/text.hpp"

namespace jflow {
namespace {

constexpr std::size_t kZ85KeyLength = 40;
constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr std::string_view kPublicKeyName = "public-key";
constexpr std::string_view kSecretKeyName = "secret-key";
constexpr off_t kMaxKeyFileBytes = 64 * 1024;  // a key file is a few lines; more is not one

// Why `key` is not a 40-character Z85 key, or nullopt if it is one.
std::optional<std::string> z85_key_problem(std::string_view key) {
  if (key.size() != kZ85KeyLength) {
    return "has " + std::to_string(key.size()) + " characters, a Z85 key has " +
           std::to_string(kZ85KeyLength);
  }
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (kZ85Alphabet.find(key[i]) == std::string_view::npos) {
      unsigned char c = static_cast<unsigned char>(key[i]);
      std::string shown =
          c >= 0x21 && c < 0x7f ? std::string("'") + key[i] + "'" : "byte " + std::to_string(c);
      return "is not Z85: " + shown + " at position " + std::to_string(i + 1);
    }
  }
  // Every character is in the alphabet, but a group of five may still exceed 2^32.
  std::uint8_t bytes[32];
  std::string text(key);
  if (zmq_z85_decode(bytes, text.c_str()) == nullptr) return "is not valid Z85";
  return std::nullopt;
}

struct KeyLine {
  std::string value;
  std::size_t line = 0;  // 0: not in the file
};

struct ParsedKeyFile {
  KeyLine public_key;
  KeyLine secret_key;
};

std::string at(const std::filesystem::path& file, std::size_t line) {
  return file.string() + ":" + std::to_string(line) + ": ";
}

// Reads the whole file, refusing what cannot be a key file. `secret` adds the permission check.
std::string read_key_file(const std::filesystem::path& file, bool secret) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) throw KeyFileError(file.string() + ": no such file");
    throw KeyFileError(file.string() + ": cannot open: " + std::strerror(errno));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat info {};
  if (::fstat(fd, &info) != 0)
    throw KeyFileError(file.string() + ": cannot stat: " + std::strerror(errno));
  if (!S_ISREG(info.st_mode)) throw KeyFileError(file.string() + ": cannot read: not a file");
  if (secret && (info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw KeyFileError(file.string() + ": readable by others (mode " + mode + "); chmod 600 it");
  }
  if (info.st_size > kMaxKeyFileBytes)
    throw KeyFileError(file.string() + ": too large for a key file");
  std::string text;
  char buffer[4096];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw KeyFileError(file.string() + ": cannot read: " + std::strerror(errno));
    if (n == 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() > static_cast<std::size_t>(kMaxKeyFileBytes))
      throw KeyFileError(file.string() + ": too large for a key file");
  }
  return text;
}

// Parses `name = "value"` lines; checks each key on its own (names, duplicates, quoting, length,
// alphabet). What must be present, and whether the keys match, the callers decide.
ParsedKeyFile parse_key_file(const std::filesystem::path& file, std::string_view text) {
  ParsedKeyFile parsed;
  std::size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    std::size_t end = text.find('\n');
    std::string_view line = trim_space(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty() || line.front() == '#') continue;
    std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      throw KeyFileError(at(file, line_number) + "expected `public-key = \"...\"` or " +
                         "`secret-key = \"...\"`");
    }
    std::string_view name = trim_space(line.substr(0, equals));
    KeyLine* slot = nullptr;
    if (name == kPublicKeyName) slot = &parsed.public_key;
    if (name == kSecretKeyName) slot = &parsed.secret_key;
    if (slot == nullptr) {
      throw KeyFileError(at(file, line_number) + "unknown key name '" + std::string(name) +
                         "' (expected public-key or secret-key)");
    }
    if (slot->line != 0) {
      throw KeyFileError(at(file, line_number) + std::string(name) +
                         " given twice (first on line " + std::to_string(slot->line) + ")");
    }
    std::string_view rest = trim_space(line.substr(equals + 1));
    std::size_t close = rest.size() > 1 ? rest.find('"', 1) : std::string_view::npos;
    if (rest.empty() || rest.front() != '"' || close == std::string_view::npos) {
      throw KeyFileError(at(file, line_number) + std::string(name) +
                         " must be a quoted string: " + std::string(name) + " = \"...\"");
    }
    std::string_view after = trim_space(rest.substr(close + 1));
    if (!after.empty() && after.front() != '#') {
      throw KeyFileError(at(file, line_number) + "unexpected text after the closing quote of " +
                         std::string(name));
    }
    std::string_view value = rest.substr(1, close - 1);
    if (auto problem = z85_key_problem(value))
      throw KeyFileError(at(file, line_number) + std::string(name) + " " + *problem);
    *slot = {std::string(value), line_number};
  }
  return parsed;
}

CurveKeyPair checked_secret(const std::filesystem::path& file, const ParsedKeyFile& parsed) {
  if (parsed.secret_key.line == 0) {
    throw KeyFileError(file.string() +
                       ": no secret-key line (a .secret file holds public-key and secret-key)");
  }
  if (parsed.public_key.line == 0) throw KeyFileError(file.string() + ": no public-key line");
  if (curve_public_of(parsed.secret_key.value) != parsed.public_key.value) {
    throw KeyFileError(at(file, parsed.public_key.line) +
                       "public-key does not belong to the secret-key on line " +
                       std::to_string(parsed.secret_key.line));
  }
  return {parsed.public_key.value, parsed.secret_key.value};
}

bool is_secret_file(const std::filesystem::path& file) {
  return file.extension() == ".secret";
}

// Through the one atomic writer (jflow/atomic_file.hpp). Without `overwrite`, an existing target
// stays as it is.
void write_atomically(const std::filesystem::path& target, std::string_view text, mode_t mode,
                      bool overwrite) {
  bool placed = false;
  try {
    AtomicFileWriter writer(target, mode);
    writer.write(text);
    placed = writer.commit(overwrite ? AtomicFileWriter::Existing::replace
                                     : AtomicFileWriter::Existing::keep);
  } catch (const std::runtime_error& e) {
    throw KeyFileError(target.string() + ": cannot write: " + e.what());
  }
  if (!placed) throw KeyFileError(target.string() + ": exists already (overwrite it with --force)");
}

}  // namespace

bool curve_available() {
  return zmq_has("curve") != 0;
}

CurveKeyPair generate_curve_keys() {
  if (!curve_available())
    throw std::runtime_error("this libzmq was built without CURVE: cannot make CurveZMQ keys");
  char public_key[kZ85KeyLength + 1];
  char secret_key[kZ85KeyLength + 1];
  if (zmq_curve_keypair(public_key, secret_key) != 0)
    throw std::runtime_error(std::string("zmq_curve_keypair: ") + zmq_strerror(zmq_errno()));
  return {std::string(public_key, kZ85KeyLength), std::string(secret_key, kZ85KeyLength)};
}

std::string curve_public_of(const std::string& secret_z85) {
  if (auto problem = z85_key_problem(secret_z85))
    throw std::runtime_error("secret key " + *problem);
  if (!curve_available())
    throw std::runtime_error("this libzmq was built without CURVE: cannot check CurveZMQ keys");
  char public_key[kZ85KeyLength + 1];
  if (zmq_curve_public(public_key, secret_z85.c_str()) != 0)
    throw std::runtime_error(std::string("zmq_curve_public: ") + zmq_strerror(zmq_errno()));
  return std::string(public_key, kZ85KeyLength);
}

void write_curve_keys(const std::filesystem::path& dir, const std::string& name,
                      const CurveKeyPair& keys, bool overwrite) {
  if (name.empty()) throw KeyFileError("a key name cannot be empty");
  if (name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    throw KeyFileError("bad key name '" + name +
                       "': it names two files in one folder, so no '/' and not '.' or '..'");
  }
  if (auto problem = z85_key_problem(keys.public_key))
    throw KeyFileError("cannot write keys '" + name + "': the public key " + *problem);
  if (curve_public_of(keys.secret_key) != keys.public_key)
    throw KeyFileError("cannot write keys '" + name + "': the public key is not the secret key's");

  std::filesystem::path public_file = dir / (name + ".pub");
  std::filesystem::path secret_file = dir / (name + ".secret");
  if (!overwrite) {
    for (const auto& file : {secret_file, public_file}) {
      std::error_code ec;
      if (std::filesystem::symlink_status(file, ec).type() != std::filesystem::file_type::not_found)
        throw KeyFileError(file.string() + ": exists already (overwrite it with --force)");
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw KeyFileError(dir.string() + ": cannot create the folder: " + ec.message());

  const std::string comment = "# CurveZMQ key pair \"" + name + "\", written by jflow keygen.\n";
  write_atomically(secret_file,
                   comment + "# Keep this file secret (mode 0600); share " + name + ".pub.\n" +
                       "public-key = \"" + keys.public_key + "\"\n" + "secret-key = \"" +
                       keys.secret_key + "\"\n",
                   0600, overwrite);
  try {
    write_atomically(public_file,
                     comment + "# The public key only: give it to the peers that talk to you.\n" +
                         "public-key = \"" + keys.public_key + "\"\n",
                     0644, overwrite);
  } catch (...) {
    // Someone made NAME.pub between the check and now: leave no half pair behind.
    if (!overwrite) ::unlink(secret_file.c_str());
    throw;
  }
}

CurveKeyPair read_curve_secret(const std::filesystem::path& file) {
  std::string text = read_key_file(file, true);
  return checked_secret(file, parse_key_file(file, text));
}

std::string read_curve_public(const std::filesystem::path& file) {
  std::string text = read_key_file(file, is_secret_file(file));
  ParsedKeyFile parsed = parse_key_file(file, text);
  if (parsed.secret_key.line != 0 || is_secret_file(file)) {
    // Secret keys outside a .secret file still need the .secret file's protection.
    if (!is_secret_file(file)) read_key_file(file, true);
    return checked_secret(file, parsed).public_key;
  }
  if (parsed.public_key.line == 0) throw KeyFileError(file.string() + ": no public-key line");
  return parsed.public_key.value;
}

}  // namespace jflow
