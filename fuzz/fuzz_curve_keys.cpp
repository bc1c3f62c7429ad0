// CURVE key files (.secret and .pub), read from a file as daemons and orchestrators read them.
#include <stdexcept>

#include <sys/stat.h>

#include "fuzz_support.hpp"
#include "jflow/curve_keys.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto secret = jflow::fuzz::scratch_dir() / "keys" / "fuzz.secret";
  const auto pub = jflow::fuzz::scratch_dir() / "keys" / "fuzz.pub";
  jflow::fuzz::write_file(secret, jflow::fuzz::as_text(data, size));
  ::chmod(secret.c_str(), 0600);
  jflow::fuzz::write_file(pub, jflow::fuzz::as_text(data, size));
  try {
    (void)jflow::read_curve_secret(secret);
  } catch (const jflow::KeyFileError&) {
  }
  try {
    (void)jflow::read_curve_public(pub);
  } catch (const jflow::KeyFileError&) {
  }
  return 0;
}
