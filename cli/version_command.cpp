// `jflow --version` and `jflow version`: jflow's version, the versions of the libraries it was
// built with (libzmq, msgpack-cxx, yaml-cpp), and whether CURVE is available — the first things
// to paste into a bug report. JFLOW_VERSION and JFLOW_YAML_CPP_VERSION come from CMake
// (cli/CMakeLists.txt): yaml-cpp's headers carry no version.
#include <zmq.h>
#include <cstdio>
#include <msgpack/version.hpp>

#include "commands.hpp"
#include "jflow/curve_keys.hpp"

namespace jflow::cli {

std::string version_text() {
  int major = 0, minor = 0, patch = 0;
  zmq_version(&major, &minor, &patch);
  const std::string built_zmq = std::to_string(ZMQ_VERSION_MAJOR) + "." +
                                std::to_string(ZMQ_VERSION_MINOR) + "." +
                                std::to_string(ZMQ_VERSION_PATCH);
  const std::string loaded_zmq =
      std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
  std::string text = "jflow " JFLOW_VERSION "\n";
  text += "libzmq " + built_zmq;
  // The shared library found at run time may be another release than the headers built against.
  if (loaded_zmq != built_zmq) text += " (running " + loaded_zmq + ")";
  text += "\nmsgpack-cxx " MSGPACK_VERSION "\n";
  text += "yaml-cpp " JFLOW_YAML_CPP_VERSION "\n";
  text += std::string("CURVE ") + (curve_available()
                                       ? "available (libzmq built with libsodium)"
                                       : "not available (libzmq built without libsodium)");
  return text;
}

void setup_version(CLI::App& app) {
  app.set_version_flag(
      "-V,--version", [] { return version_text(); },
      "Print jflow's version, its libraries' versions and whether CURVE works");
  app.add_subcommand("version", "The same as --version");
}

int run_version() {
  std::printf("%s\n", version_text().c_str());
  return kExitOk;
}

}  // namespace jflow::cli
