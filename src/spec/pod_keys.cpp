// Readers for a pod's keys that need more than a type check: the keys a flow's `with:` may give
// every pod (one reader for both places, so a default and a pod's own value obey the same rules),
// `needs`, and the three `uses` keys.
#include <algorithm>

#include "spec/spec_support.hpp"

namespace jflow::spec {

const std::vector<std::string>& pod_default_keys() {
  static const std::vector<std::string> keys = {"runtime", "timeout_ready", "parallel",
                                                "polling", "scheduling",    "join_timeout",
                                                "restart", "max_restarts",  "restart_window"};
  return keys;
}

void read_pod_default(const Field& field, PodSpec& pod, Transport transport) {
  const std::string& key = field.key;
  if (key == "runtime") {
    constexpr Runtime kRuntimes[] = {Runtime::thread, Runtime::process};
    pod.runtime = read_choice(field, "runtime", kRuntimes, runtime_name);
    // inproc sockets only reach peas of the same process, so every pod must be a thread.
    if (pod.runtime == Runtime::process && transport == Transport::inproc) {
      field.fail(inproc_needs_threads_message());
    }
  } else if (key == "timeout_ready") {
    pod.timeout_ready = read_positive_duration(field);
  } else if (key == "parallel") {
    const std::int64_t value = field.as_integer();
    if (value < 1) {
      field.fail("parallel must be at least 1, got " + std::to_string(value) +
                 " (1 runs the pod as one pea)");
    }
    // Each replica is a pea with its own sockets, thread or process: far fewer than this fit on a
    // machine anyway, and an absurd count must be refused here, not allocated.
    constexpr std::int64_t kMaxParallel = 1024;
    if (value > kMaxParallel) {
      field.fail("parallel is at most " + std::to_string(kMaxParallel) + ", got " +
                 std::to_string(value));
    }
    pod.parallel = static_cast<std::size_t>(value);
  } else if (key == "polling") {
    constexpr Polling kPollings[] = {Polling::any, Polling::all};
    pod.polling = read_choice(field, "polling", kPollings, polling_name);
  } else if (key == "scheduling") {
    constexpr Scheduling kSchedulings[] = {Scheduling::load_balance, Scheduling::round_robin};
    pod.scheduling = read_choice(field, "scheduling", kSchedulings, scheduling_name);
  } else if (key == "join_timeout") {
    pod.join_timeout = read_positive_duration(field);
  } else if (key == "restart") {
    constexpr RestartPolicy kPolicies[] = {RestartPolicy::never, RestartPolicy::on_failure};
    pod.restart = read_choice(field, "restart policy", kPolicies, restart_policy_name);
  } else if (key == "max_restarts") {
    const std::int64_t value = field.as_integer();
    // A cap is what stops a pea that crashes at start from being relaunched for ever; 0 is
    // `restart: never` in other words, and is refused so that there is one way to say it.
    constexpr std::int64_t kMaxRestarts = 1000;
    if (value < 1 || value > kMaxRestarts) {
      field.fail("max_restarts must be 1 … " + std::to_string(kMaxRestarts) + ", got " +
                 std::to_string(value) + " (to never restart, write restart: never)");
    }
    pod.max_restarts = static_cast<std::size_t>(value);
  } else if (key == "restart_window") {
    pod.restart_window = read_positive_duration(field);
  } else {
    field.fail("internal: '" + key + "' is not a pod default");
  }
  pod.key_where[key] = field.where();
}

void read_needs(const Field& field, PodSpec& pod) {
  const auto entry = [&](const YAML::Node& node) {
    const SourceLocation where = node.IsNull() ? field.where() : location_of(node, *field.file);
    if (!node.IsScalar() || node.Scalar().empty()) {
      throw SpecError(where, "needs: expected a pod name, got " + describe(node));
    }
    const std::string& name = node.Scalar();
    if (std::find(pod.needs.begin(), pod.needs.end(), name) != pod.needs.end()) {
      throw SpecError(where, "needs: '" + name + "' is listed twice");
    }
    pod.needs.push_back(name);
    pod.needs_where.push_back(where);
  };
  pod.needs.clear();
  pod.needs_where.clear();
  if (field.value.IsSequence()) {
    if (field.value.size() == 0) {
      field.fail(
          "needs: expected at least one pod name, got an empty list (leave needs out to take "
          "the pod before, or write needs: gateway)");
    }
    for (const YAML::Node& item : field.value) entry(item);
  } else if (field.value.IsScalar()) {
    entry(field.value);
  } else {
    field.fail("needs: expected a pod name or a list of pod names, got " + describe(field.value));
  }
  pod.key_where["needs"] = field.where();
}

DriverChains read_uses_key(const Field& field, std::string_view source,
                           const DriverRegistry& registry) {
  if (field.value.IsNull()) {
    field.fail(field.key + ": expected _pass, _log or a driver list, got nothing");
  }
  return resolve_uses_in(field.value, source, *field.file, registry);
}

void fill_default_needs(FlowSpec& spec) {
  for (std::size_t i = 0; i < spec.pods.size(); ++i) {
    PodSpec& pod = spec.pods[i];
    if (!pod.needs.empty()) continue;
    // A list of pods without `needs` is a chain, as in Jina: each takes the output of the one
    // before, and the first takes the caller's request.
    pod.needs.push_back(i == 0 ? std::string(kGateway) : spec.pods[i - 1].name);
    pod.needs_where.clear();
  }
}

}  // namespace jflow::spec
