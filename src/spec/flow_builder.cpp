// FlowBuilder: the C++ front end of FlowSpec. It keeps what the caller said and checks it all in
// build(), with the same rules and the same `uses` reader as the YAML parser, so both front ends
// give equal specs for the same flow (tests/spec/test_flow_spec.cpp holds them to that).
#include <algorithm>
#include <stdexcept>

#include "jflow/curve_keys.hpp"
#include "jflow/plugin.hpp"
#include "spec/spec_support.hpp"
#include "spec/yaml_bounded.hpp"

namespace jflow {
namespace {

// Builder errors have no file; this names their origin in "origin: message".
const SourceLocation kBuilder{"FlowBuilder", 0, 0};

}  // namespace

FlowBuilder::FlowBuilder(const DriverRegistry& registry) : registry_(&registry) {}

FlowBuilder& FlowBuilder::transport(Transport transport) {
  spec_.transport = transport;
  return *this;
}

FlowBuilder& FlowBuilder::host(std::string host) {
  spec_.host = std::move(host);
  return *this;
}

FlowBuilder& FlowBuilder::timeout_ready(Duration timeout) {
  spec_.timeout_ready = timeout;
  return *this;
}

FlowBuilder& FlowBuilder::request_timeout(Duration timeout) {
  spec_.request_timeout = timeout;
  return *this;
}

FlowBuilder& FlowBuilder::max_in_flight(std::size_t requests) {
  spec_.max_in_flight = requests;
  return *this;
}

FlowBuilder& FlowBuilder::workspace(std::filesystem::path folder) {
  spec_.workspace = std::filesystem::absolute(folder);
  return *this;
}

FlowBuilder& FlowBuilder::plugin(std::filesystem::path library) {
  library = std::filesystem::absolute(library);
  try {
    load_plugin(library);
  } catch (const PluginError& error) {
    throw SpecError(kBuilder, error.what());
  }
  spec_.plugins.push_back(std::move(library));
  return *this;
}

FlowBuilder& FlowBuilder::input(InputSpec input) {
  spec_.input.push_back(std::move(input));
  return *this;
}

FlowBuilder& FlowBuilder::add(std::string name, std::string uses, Runtime runtime) {
  PodSpec pod;
  pod.name = std::move(name);
  pod.uses = std::move(uses);
  pod.runtime = runtime;
  spec_.pods.push_back(std::move(pod));
  extras_.emplace_back();
  return *this;
}

FlowBuilder::PodExtras& FlowBuilder::last(const char* setter) {
  // Calling a pod setter before add() is a bug in the calling code, not a bad flow.
  if (extras_.empty()) throw std::logic_error(std::string(setter) + "() needs a pod: add() one");
  return extras_.back();
}

FlowBuilder& FlowBuilder::pod_timeout_ready(Duration timeout) {
  last("pod_timeout_ready").timeout_ready = timeout;
  return *this;
}

FlowBuilder& FlowBuilder::needs(std::vector<std::string> needs) {
  last("needs").needs = std::move(needs);
  return *this;
}

FlowBuilder& FlowBuilder::parallel(std::size_t parallel) {
  last("parallel");
  spec_.pods.back().parallel = parallel;
  return *this;
}

FlowBuilder& FlowBuilder::polling(Polling polling) {
  last("polling");
  spec_.pods.back().polling = polling;
  return *this;
}

FlowBuilder& FlowBuilder::scheduling(Scheduling scheduling) {
  last("scheduling");
  spec_.pods.back().scheduling = scheduling;
  return *this;
}

FlowBuilder& FlowBuilder::uses_before(std::string uses) {
  last("uses_before").uses_before = std::move(uses);
  return *this;
}

FlowBuilder& FlowBuilder::uses_after(std::string uses) {
  last("uses_after").uses_after = std::move(uses);
  return *this;
}

FlowBuilder& FlowBuilder::partial_results(PartialResults mode) {
  last("partial_results");
  spec_.pods.back().partial_results = mode;
  return *this;
}

FlowBuilder& FlowBuilder::restart(RestartPolicy policy, std::size_t max_restarts, Duration window) {
  last("restart");
  spec_.pods.back().restart = policy;
  spec_.pods.back().max_restarts = max_restarts;
  spec_.pods.back().restart_window = window;
  return *this;
}

FlowBuilder& FlowBuilder::join_timeout(Duration timeout) {
  last("join_timeout");
  spec_.pods.back().join_timeout = timeout;
  return *this;
}

FlowBuilder& FlowBuilder::pod_host(std::string address) {
  last("pod_host");
  try {
    spec_.pods.back().host = spec::daemon_address(address);
  } catch (const std::invalid_argument& error) {
    throw SpecError(kBuilder, "pod '" + spec_.pods.back().name + "' host: " + error.what());
  }
  spec_.pods.back().runtime = Runtime::process;
  return *this;
}

FlowBuilder& FlowBuilder::curve_key(std::filesystem::path secret_file) {
  try {
    read_curve_secret(secret_file);
  } catch (const std::exception& error) {
    throw SpecError(kBuilder, std::string("curve key: ") + error.what());
  }
  if (!spec_.curve) spec_.curve.emplace();
  spec_.curve->key = std::filesystem::absolute(secret_file);
  return *this;
}

FlowBuilder& FlowBuilder::host_key(std::string address, std::filesystem::path public_file) {
  try {
    address = spec::daemon_address(address);
    read_curve_public(public_file);
  } catch (const std::exception& error) {
    throw SpecError(kBuilder, std::string("curve hosts: ") + error.what());
  }
  if (!spec_.curve) spec_.curve.emplace();
  spec_.curve->hosts[address] = std::filesystem::absolute(public_file);
  return *this;
}

FlowSpec FlowBuilder::build() const {
  FlowSpec spec = spec_;
  if (spec.pods.empty()) throw SpecError(kBuilder, "a flow needs at least one pod");
  if (spec.curve && spec.curve->key.empty()) {
    throw SpecError(kBuilder,
                    "curve: host_key() was given but no curve_key() for this "
                    "orchestrator's own key pair");
  }
  if (spec.host.empty()) throw SpecError(kBuilder, "host: expected a host name or address, got ''");
  if (spec.timeout_ready <= Duration::zero()) {
    throw SpecError(kBuilder, "timeout_ready must be greater than 0");
  }
  if (spec.request_timeout < Duration::zero()) {
    throw SpecError(kBuilder, "request_timeout: expected a duration like 5s or 200ms, got " +
                                  format_duration(spec.request_timeout));
  }
  if (spec.max_in_flight < 1 || spec.max_in_flight > defaults::kMaxInFlightLimit) {
    throw SpecError(kBuilder, spec::max_in_flight_problem(std::to_string(spec.max_in_flight)));
  }
  for (const InputSpec& input : spec.input) {
    if (auto problem = spec::input_lines_problem(input.lines, input.lines.string())) {
      throw SpecError(kBuilder, "input lines: " + *problem);
    }
    if (input.type == RequestType::control) {
      throw SpecError(kBuilder,
                      "input type 'control' is not a data request (use index, search or train)");
    }
    if (input.request_size < 1) throw SpecError(kBuilder, "request_size must be at least 1, got 0");
  }

  for (std::size_t i = 0; i < spec.pods.size(); ++i) {
    PodSpec& pod = spec.pods[i];
    const PodExtras& extras = extras_[i];
    // Graph errors found later (cycles, unknown needs) are located at the pod; here that is the
    // builder itself.
    pod.where = kBuilder;
    if (auto problem = spec::pod_name_problem(pod.name)) throw SpecError(kBuilder, *problem);
    const std::string owner = "pod '" + pod.name + "'";
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.pods[j].name == pod.name) {
        throw SpecError(kBuilder, "duplicate pod name '" + pod.name + "' (first added as pod " +
                                      std::to_string(j + 1) + ")");
      }
    }
    const auto resolve = [&](const std::string& text, const char* key) {
      return spec::resolve_uses_text(text, "FlowBuilder " + owner + " " + key, *registry_);
    };
    const auto resolve_pod_uses = [&](PodSpec& target, const std::filesystem::path& workspace) {
      const std::string label = "FlowBuilder " + owner + " uses";
      YAML::Node parsed;
      try {
        parsed = spec::load_bounded(target.uses);
      } catch (const YAML::ParserException&) {
        return resolve(target.uses, "uses");  // reports the YAML error with its location
      }
      if (parsed.IsDefined() && !parsed.IsNull()) {
        const spec::ExecutorDefaults defaults{target.name, workspace};
        if (auto executor =
                spec::read_executor_uses(parsed, target.uses, label, defaults, *registry_)) {
          target.executor = std::move(executor->executor);
          return std::move(executor->drivers);
        }
      }
      return resolve(target.uses, "uses");
    };
    pod.drivers = resolve_pod_uses(pod, spec.workspace);
    if (extras.uses_before) pod.uses_before = resolve(*extras.uses_before, "uses_before");
    if (extras.uses_after) pod.uses_after = resolve(*extras.uses_after, "uses_after");
    if (pod.runtime == Runtime::process && spec.transport == Transport::inproc) {
      throw SpecError(kBuilder, owner + ": " + spec::inproc_needs_threads_message());
    }
    pod.timeout_ready = extras.timeout_ready.value_or(spec.timeout_ready);
    if (pod.timeout_ready <= Duration::zero()) {
      throw SpecError(kBuilder, owner + ": timeout_ready must be greater than 0");
    }
    if (pod.join_timeout <= Duration::zero()) {
      throw SpecError(kBuilder, owner + ": join_timeout must be greater than 0");
    }
    if (pod.restart_window <= Duration::zero()) {
      throw SpecError(kBuilder, owner + ": restart_window must be greater than 0");
    }
    if (extras.needs) {
      if (extras.needs->empty()) {
        throw SpecError(kBuilder, owner +
                                      ": needs: expected at least one pod name (leave needs "
                                      "unset to take the pod before, or need gateway)");
      }
      for (std::size_t n = 0; n < extras.needs->size(); ++n) {
        const std::string& name = (*extras.needs)[n];
        if (std::find(extras.needs->begin(), extras.needs->begin() + static_cast<long>(n), name) !=
            extras.needs->begin() + static_cast<long>(n)) {
          throw SpecError(kBuilder, owner + ": needs: '" + name + "' is listed twice");
        }
      }
      pod.needs = *extras.needs;
    }
  }
  spec::fill_default_needs(spec);
  spec::check_topology(spec);
  spec::check_hosts(spec);
  return spec;
}

}  // namespace jflow
