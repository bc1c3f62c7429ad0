// The registry of built-in drivers: each kind with its options, read and validated here.
#include <stdexcept>

#include "drivers/craft_driver.hpp"
#include "drivers/doc_level.hpp"
#include "drivers/encode_driver.hpp"
#include "drivers/fail_driver.hpp"
#include "drivers/forward_driver.hpp"
#include "drivers/kv_index_driver.hpp"
#include "drivers/kv_search_driver.hpp"
#include "drivers/log_driver.hpp"
#include "drivers/merge_driver.hpp"
#include "drivers/merge_matches_driver.hpp"
#include "drivers/rank_driver.hpp"
#include "drivers/tag_driver.hpp"
#include "drivers/vector_index_driver.hpp"
#include "drivers/vector_search_driver.hpp"
#include "drivers/wait_driver.hpp"
#include "jflow/defaults.hpp"
#include "jflow/driver.hpp"

namespace jflow {
namespace {

// The `level` option, located at the option when it is not one of the three levels.
DocLevel read_level(DriverOptions& options, const std::string& fallback) {
  std::string name = options.get_string("level", fallback);
  try {
    return parse_doc_level(name);
  } catch (const std::invalid_argument& error) {
    options.fail("level", error.what());
  }
}

// The `top_k` option of the search drivers: a positive integer.
std::size_t read_top_k(DriverOptions& options) {
  std::int64_t top_k = options.get_integer("top_k", 10);
  if (top_k < 1) options.fail("top_k", "top_k must be at least 1, got " + std::to_string(top_k));
  return static_cast<std::size_t>(top_k);
}

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
    Duration duration = options.get_duration("duration", defaults::kWaitDuration);
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
    DocLevel level = read_level(options, "root");
    if (level == DocLevel::matches) {
      options.fail("level", "MergeMatchesDriver merges at level root or chunks, not matches");
    }
    options.finish();
    return std::make_unique<MergeMatchesDriver>(top_k, level);
  });
  registry.add(TagDriver::info(), [](DriverOptions& options) {
    std::string key = options.get_string("key", "");
    if (key.empty()) options.fail("", "TagDriver needs a `key`");
    std::string value = options.get_string("value", "");
    options.finish();
    return std::make_unique<TagDriver>(std::move(key), std::move(value));
  });
  registry.add(CraftDriver::info(), [](DriverOptions& options) {
    DocLevel level = read_level(options, "root");
    options.finish();
    return std::make_unique<CraftDriver>(level);
  });
  registry.add(EncodeDriver::info(), [](DriverOptions& options) {
    DocLevel level = read_level(options, "root");
    options.finish();
    return std::make_unique<EncodeDriver>(level);
  });
  registry.add(VectorIndexDriver::info(), [](DriverOptions& options) {
    DocLevel level = read_level(options, "root");
    options.finish();
    return std::make_unique<VectorIndexDriver>(level);
  });
  registry.add(VectorSearchDriver::info(), [](DriverOptions& options) {
    DocLevel level = read_level(options, "root");
    std::size_t top_k = read_top_k(options);
    options.finish();
    return std::make_unique<VectorSearchDriver>(level, top_k);
  });
  registry.add(KVIndexDriver::info(), [](DriverOptions& options) {
    DocLevel level = read_level(options, "root");
    options.finish();
    return std::make_unique<KVIndexDriver>(level);
  });
  registry.add(KVSearchDriver::info(), [](DriverOptions& options) {
    DocLevel level = read_level(options, "matches");
    options.finish();
    return std::make_unique<KVSearchDriver>(level);
  });
  registry.add(RankDriver::info(), [](DriverOptions& options) {
    std::size_t top_k = read_top_k(options);
    options.finish();
    return std::make_unique<RankDriver>(top_k);
  });
  return registry;
}

}  // namespace

const DriverRegistry& builtin_drivers() {
  static const DriverRegistry registry = make_builtin_drivers();
  return registry;
}

}  // namespace jflow
