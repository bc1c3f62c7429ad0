// A driver that makes its pea crash, for the restart tests
// (tests/integration/test_pea_restart.cpp):
//   !CrashDriver {marker: PATH}
// The first pea to be configured with it creates PATH and then forwards every request; any later
// pea configured with it (a restart) finds PATH and aborts: a pea that can never start again, as
// one whose executor crashes on a corrupted workspace would be. The orchestrator also builds the
// driver while it checks the flow, but only a pea attaches it, so the mark (the first pea's pid)
// is made in attach().
#include <jflow/plugin.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace {

class CrashDriver : public jflow::Driver {
 public:
  explicit CrashDriver(std::string marker) : marker_(std::move(marker)) {}
  std::string_view kind() const override { return "CrashDriver"; }
  // A pea builds the driver once per request type: the mark holds the first pea's pid.
  void attach(jflow::Executor*) override {
    const std::string me = std::to_string(::getpid());
    std::string first;
    std::ifstream mark(marker_);
    mark >> first;
    if (!first.empty() && first != me) std::abort();
    std::ofstream(marker_) << me << "\n";
  }
  jflow::DriverResult handle(jflow::Message&, const jflow::DriverContext&) override {
    return jflow::DriverResult::next();
  }

 private:
  std::string marker_;
};

}  // namespace

JFLOW_PLUGIN(registrar) {
  registrar.drivers.add(
      {"CrashDriver",
       "forwards; aborts a pea configured with it after the first (a test plugin)",
       {{"marker", "string", "", "the file that says a pea was configured with it already"}}},
      [](jflow::DriverOptions& with) -> std::unique_ptr<jflow::Driver> {
        const std::string marker = with.get_string("marker", "");
        with.finish();
        if (marker.empty()) with.fail("marker", "marker: expected a file path");
        return std::make_unique<CrashDriver>(marker);
      });
}
