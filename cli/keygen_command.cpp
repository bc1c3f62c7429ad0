// `jflow keygen NAME [--dir DIR] [--force]`: make a CurveZMQ key pair for a host. Writes
// DIR/NAME.pub (the public key, to give to peers) and DIR/NAME.secret (both keys, mode 0600), and
// prints both paths and the public key. Exit 2 for a bad NAME or when a file exists (--force
// replaces it); exit 1 when this libzmq has no CURVE.
#include <filesystem>
#include <iostream>

#include "commands.hpp"
#include "jflow/curve_keys.hpp"

namespace jflow::cli {

void setup_keygen(CLI::App& app, KeygenOptions& options) {
  CLI::App* command =
      app.add_subcommand("keygen", "Make a CurveZMQ key pair: NAME.pub (share) and NAME.secret");
  command->add_option("name", options.name, "The pair's name, e.g. the host's")->required();
  command->add_option("-d,--dir", options.dir, "Folder to write the two files in")
      ->capture_default_str();
  command->add_flag("-f,--force", options.force, "Replace existing files");
  command->footer(
      "Exit codes: 0 written; 1 libzmq without CURVE or a write failed; 2 bad NAME or the files "
      "exist (without --force).");
}

int run_keygen(const KeygenOptions& options) {
  if (options.name.empty()) throw UsageError("keygen: NAME cannot be empty");
  if (options.name.find('/') != std::string::npos || options.name == "." || options.name == "..")
    throw UsageError("keygen: bad NAME '" + options.name +
                     "': a plain name (no '/', not '.' or '..'); choose the folder with --dir");
  std::filesystem::path dir(options.dir);
  for (const char* extension : {".pub", ".secret"}) {
    std::filesystem::path file = dir / (options.name + extension);
    std::error_code ec;
    if (!options.force &&
        std::filesystem::symlink_status(file, ec).type() != std::filesystem::file_type::not_found)
      throw UsageError("keygen: " + file.string() + " exists already; --force replaces it");
  }
  CurveKeyPair keys = generate_curve_keys();
  try {
    write_curve_keys(dir, options.name, keys, options.force);
  } catch (const KeyFileError& e) {
    // Only a file made between the check above and the write lands here.
    throw UsageError(std::string("keygen: ") + e.what());
  }
  std::cout << "public key:  " << (dir / (options.name + ".pub")).string() << "\n"
            << "secret key:  " << (dir / (options.name + ".secret")).string()
            << " (mode 0600, keep it on this host)\n"
            << "public-key = \"" << keys.public_key << "\"\n";
  return kExitOk;
}

std::pair<std::optional<CurveKeyPair>, std::set<std::string>> read_server_keys(
    const std::string& key_file, const std::vector<std::string>& allow_files) {
  std::pair<std::optional<CurveKeyPair>, std::set<std::string>> keys;
  try {
    if (!key_file.empty()) keys.first = read_curve_secret(key_file);
    for (const std::string& file : allow_files) keys.second.insert(read_curve_public(file));
  } catch (const KeyFileError& e) {
    throw UsageError(e.what());
  }
  return keys;
}

}  // namespace jflow::cli
