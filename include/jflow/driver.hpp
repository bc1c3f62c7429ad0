// Driver: one step of a pea's request pipeline (forward, log, wait, …). A pea runs each request
// through the driver chain for its type, in order, on the pea's single loop thread.
// A driver must not block: to continue later it returns DriverResult::after(d), and the pea resumes
// the request at the next driver once d has passed, serving other requests meanwhile.
// Thread-safety: a driver instance is only ever called from its pea's loop thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "jflow/duration.hpp"
#include "jflow/registry.hpp"
#include "jflow/spec_error.hpp"

namespace jflow {

class Message;
class Executor;

// What a driver may know about where it runs.
struct DriverContext {
  std::string_view pod;
  std::string_view pea;
  std::size_t replica = 0;  // which replica (shard) of its pod this pea is; 0 for a lone pea
  // How many shards every request is sent to: the pod's `parallel` with polling: all, else 1.
  // An indexing driver on shard `replica` keeps only the documents that belong to it.
  std::size_t shards = 1;
};

class DriverResult {
 public:
  static DriverResult next() { return DriverResult(Duration::zero()); }
  static DriverResult after(Duration delay) { return DriverResult(delay); }
  Duration delay() const { return delay_; }
  bool deferred() const { return delay_ > Duration::zero(); }

 private:
  explicit DriverResult(Duration delay) : delay_(delay) {}
  Duration delay_;
};

class Driver {
 public:
  virtual ~Driver() = default;
  // The driver's kind as written in YAML, e.g. "WaitDriver".
  virtual std::string_view kind() const = 0;
  // Work on the message. Throwing ends the request with status ERROR naming the pod and this
  // driver.
  virtual DriverResult handle(Message& message, const DriverContext& context) = 0;
  // Called once when the pea is configured, with the pod's executor (nullptr when the pod has
  // none). A driver that needs one keeps the capability it needs (dynamic_cast) and throws
  // std::runtime_error naming what is missing otherwise; the pea then fails to start.
  virtual void attach(Executor* executor) { (void)executor; }
};

// Typed access to a driver's YAML options that remembers which keys were read, so finish() can
// reject unknown keys with their location and a "did you mean" hint.
class DriverOptions {
 public:
  DriverOptions(const YAML::Node& node, std::string file, std::string kind);
  std::string get_string(const std::string& key, const std::string& fallback);
  double get_number(const std::string& key, double fallback);
  std::int64_t get_integer(const std::string& key, std::int64_t fallback);
  bool get_bool(const std::string& key, bool fallback);
  Duration get_duration(const std::string& key, Duration fallback);
  // Throws SpecError for any key not read by a get_* call.
  void finish() const;
  // Throws SpecError located at `key` (or at the node when key is empty).
  [[noreturn]] void fail(const std::string& key, const std::string& message) const;

 private:
  YAML::Node node_;
  std::string file_;
  std::string kind_;
  std::vector<std::string> read_keys_;
};

struct DriverOptionInfo {
  std::string name;
  std::string type;  // "duration", "string", "number", …
  std::string default_value;
  std::string help;
};

struct DriverInfo {
  std::string kind;
  std::string summary;
  std::vector<DriverOptionInfo> options;
};

using DriverFactory = std::function<std::unique_ptr<Driver>(DriverOptions&)>;

// Driver kinds by name (jflow/registry.hpp: a kind registered twice is refused). A factory reads
// its options and calls options.finish().
class DriverRegistry : public KindRegistry<DriverInfo, DriverFactory> {
 public:
  DriverRegistry() : KindRegistry("driver") {}
  // Throws SpecError (unknown kind with close matches, or bad options) located in `file`.
  std::unique_ptr<Driver> create(std::string_view kind, const YAML::Node& options,
                                 const std::string& file = {}) const;
};

// The built-in drivers (drivers/): ForwardDriver, LogDriver, WaitDriver, FailDriver, …
const DriverRegistry& builtin_drivers();
// The built-in drivers plus those of loaded plugins (jflow/plugin.hpp).
const DriverRegistry& registered_drivers();

}  // namespace jflow
