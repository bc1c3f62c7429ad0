// Stand-ins for the built-in drivers, with the same kinds and options, so that the flow-spec tests
// check the parser alone and do not change when drivers/ does.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "jflow/driver.hpp"
#include "jflow/flow_spec.hpp"
#include "jflow/spec_error.hpp"

namespace jflow::spec_test {

class StubDriver final : public Driver {
 public:
  explicit StubDriver(std::string kind) : kind_(std::move(kind)) {}
  std::string_view kind() const override { return kind_; }
  DriverResult handle(Message&, const DriverContext&) override { return DriverResult::next(); }

 private:
  std::string kind_;
};

inline DriverInfo stub_info(std::string kind) {
  return DriverInfo{std::move(kind), "", {}};
}

// ForwardDriver {}, LogDriver {docs: bool}, WaitDriver {duration}, FailDriver {message, every},
// MergeDriver {}, MergeMatchesDriver {top_k: integer}.
inline const DriverRegistry& stub_drivers() {
  static const DriverRegistry registry = [] {
    DriverRegistry r;
    r.add(stub_info("ForwardDriver"), [](DriverOptions& options) {
      options.finish();
      return std::make_unique<StubDriver>("ForwardDriver");
    });
    r.add(stub_info("LogDriver"), [](DriverOptions& options) {
      options.get_bool("docs", false);
      options.finish();
      return std::make_unique<StubDriver>("LogDriver");
    });
    r.add(stub_info("WaitDriver"), [](DriverOptions& options) {
      options.get_duration("duration", std::chrono::seconds(5));
      options.finish();
      return std::make_unique<StubDriver>("WaitDriver");
    });
    r.add(stub_info("FailDriver"), [](DriverOptions& options) {
      options.get_string("message", "injected failure");
      if (options.get_integer("every", 1) < 1) options.fail("every", "every must be at least 1");
      options.finish();
      return std::make_unique<StubDriver>("FailDriver");
    });
    r.add(stub_info("MergeDriver"), [](DriverOptions& options) {
      options.finish();
      return std::make_unique<StubDriver>("MergeDriver");
    });
    r.add(stub_info("MergeMatchesDriver"), [](DriverOptions& options) {
      if (options.get_integer("top_k", 10) < 0) options.fail("top_k", "top_k must be at least 0");
      options.finish();
      return std::make_unique<StubDriver>("MergeMatchesDriver");
    });
    return r;
  }();
  return registry;
}

// An environment that is the same on every machine.
inline EnvLookup fixed_env(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    const auto found = values.find(name);
    if (found == values.end()) return std::nullopt;
    return found->second;
  };
}

// The message of the SpecError `action` throws, or "(no SpecError)".
inline std::string spec_error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const SpecError& error) {
    return error.what();
  }
  return "(no SpecError)";
}

inline std::string tests_dir() {
  return JFLOW_TESTS_DIR;
}

}  // namespace jflow::spec_test
