// CurveZMQ key pairs and the files that hold them. Links between hosts are encrypted and
// authenticated with CURVE; `jflow keygen NAME` writes a pair, and daemons and orchestrators read
// them back.
//
// Two text files per name (`#` starts a comment line, blank lines are ignored):
//   NAME.pub     public-key = "<40 Z85 characters>"            (share it)
//   NAME.secret  public-key = "<40 Z85 characters>"
//                secret-key = "<40 Z85 characters>"            (mode 0600, keep it)
// Reading checks everything — key names, lengths, the Z85 alphabet, that the public key belongs
// to the secret key, and that a .secret file is not readable by group or others — and throws
// KeyFileError naming the file (and the line, where there is one).
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace jflow {

struct CurveKeyPair {
  std::string public_key;  // Z85 text, 40 characters
  std::string secret_key;  // Z85 text, 40 characters
};

// Whether this libzmq was built with CURVE (zmq_has("curve")).
bool curve_available();

// A fresh key pair (zmq_curve_keypair). Throws std::runtime_error when libzmq lacks CURVE.
CurveKeyPair generate_curve_keys();

// The public key that belongs to a secret key (zmq_curve_public). Throws std::runtime_error on a
// key that is not 40 Z85 characters, or when libzmq lacks CURVE.
std::string curve_public_of(const std::string& secret_z85);

class KeyFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes DIR/NAME.pub (the public key only) and DIR/NAME.secret (both keys, created with mode
// 0600), each atomically (a temporary file, then a rename). Creates DIR if missing. Throws
// KeyFileError for a bad name (empty, ".", "..", a path separator) and, unless `overwrite`, when
// either file exists already (then neither is written).
void write_curve_keys(const std::filesystem::path& dir, const std::string& name,
                      const CurveKeyPair& keys, bool overwrite = false);

// Both keys of a .secret file.
CurveKeyPair read_curve_secret(const std::filesystem::path& file);

// The public key of a .pub file, or of a .secret file (which is then checked as fully as by
// read_curve_secret).
std::string read_curve_public(const std::filesystem::path& file);

}  // namespace jflow
