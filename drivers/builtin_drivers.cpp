// The registry of built-in drivers: each kind with its options, read and validated here.
#include "jflow/driver.hpp"
#include "jflow/drivers/fail_driver.hpp"
#include "jflow/drivers/forward_driver.hpp"
#include "jflow/drivers/log_driver.hpp"
#include "jflow/drivers/merge_driver.hpp"
#include "jflow/drivers/merge_matches_driver.hpp"
#include "jflow/drivers/tag_driver.hpp"
#include "jflow/drivers/wait_driver.hpp"

namespace jflow {
namespace {

DriverRegistry make_builtin_drivers() {
  DriverRegistry registry;
  registry.add(ForwardDriver::info(), [](DriverOptions& options) {
    options.finish();
    return std::make_unique<ForwardDriver>();
  });
  registry.add(LogDriver::info(), [](DriverOptions& options) {
    bool show_docs = options.get_bool("docs", false);
    options.finish();
    return std::make_unique<LogDriver>(show_docs);
  });
  registry.add(WaitDriver::info(), [](DriverOptions& options) {
    Duration duration = options.get_duration("duration", std::chrono::seconds(5));
    std::int64_t replica = options.get_integer("replica", -1);
    options.finish();
    return std::make_unique<WaitDriver>(duration, replica);
  });
  registry.add(FailDriver::info(), [](DriverOptions& options) {
    std::string message = options.get_string("message", "injected failure");
    std::int64_t every = options.get_integer("every", 1);
    if (every < 1) options.fail("every", "every must be at least 1, got " + std::to_string(every));
    options.finish();
    return std::make_unique<FailDriver>(std::move(message), every);
  });
  registry.add(MergeDriver::info(), [](DriverOptions& options) {
    options.finish();
    return std::make_unique<MergeDriver>();
  });
  registry.add(MergeMatchesDriver::info(), [](DriverOptions& options) {
    std::int64_t top_k = options.get_integer("top_k", 10);
    if (top_k < 0) options.fail("top_k", "top_k must be at least 0, got " + std::to_string(top_k));
    options.finish();
    return std::make_unique<MergeMatchesDriver>(top_k);
  });
  registry.add(TagDriver::info(), [](DriverOptions& options) {
    std::string key = options.get_string("key", "");
    if (key.empty()) options.fail("", "TagDriver needs a `key`");
    std::string value = options.get_string("value", "");
    options.finish();
    return std::make_unique<TagDriver>(std::move(key), std::move(value));
  });
  return registry;
}

}  // namespace

const DriverRegistry& builtin_drivers() {
  static const DriverRegistry registry = make_builtin_drivers();
  return registry;
}

}  // namespace jflow
