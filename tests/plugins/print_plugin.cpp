// A driver that prints past jflow's logger, as a careless executor or plugin would, for the tests
// of what the orchestrator makes of a process pea's own output (tests/cli/test_pea_output.cpp):
//   !PrintDriver {text: TEXT}
// For every request it writes the line "TEXT to stdout" with printf and "TEXT to stderr" with
// write(2), then forwards the request.
#include <jflow/plugin.hpp>

#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

namespace {

class PrintDriver : public jflow::Driver {
 public:
  explicit PrintDriver(std::string text) : text_(std::move(text)) {}
  std::string_view kind() const override { return "PrintDriver"; }
  jflow::DriverResult handle(jflow::Message&, const jflow::DriverContext&) override {
    std::printf("%s to stdout\n", text_.c_str());
    std::fflush(stdout);
    const std::string line = text_ + " to stderr\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
    return jflow::DriverResult::next();
  }

 private:
  std::string text_;
};

}  // namespace

JFLOW_PLUGIN(registrar) {
  registrar.drivers.add(
      {"PrintDriver",
       "prints to stdout and stderr past the logger, then forwards (a test plugin)",
       {{"text", "string", "", "what to print"}}},
      [](jflow::DriverOptions& with) -> std::unique_ptr<jflow::Driver> {
        const std::string text = with.get_string("text", "");
        with.finish();
        return std::make_unique<PrintDriver>(text);
      });
}
