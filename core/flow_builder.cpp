// FlowBuilder: the C++ front end of FlowSpec. It keeps what the caller said and checks it all in
// build(), with the same rules and the same `uses` reader as the YAML parser, so both front ends
// give equal specs for the same flow (tests/core/test_flow_spec.cpp holds them to that).
#include <stdexcept>

#include "spec_support.hpp"

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

FlowBuilder& FlowBuilder::input(InputSpec input) {
  spec_.input = std::move(input);
  return *this;
}

FlowBuilder& FlowBuilder::add(std::string name, std::string uses, Runtime runtime) {
  PodSpec pod;
  pod.name = std::move(name);
  pod.uses = std::move(uses);
  pod.runtime = runtime;
  spec_.pods.push_back(std::move(pod));
  pod_timeouts_.emplace_back();
  return *this;
}

FlowBuilder& FlowBuilder::pod_timeout_ready(Duration timeout) {
  if (pod_timeouts_.empty()) throw std::logic_error("pod_timeout_ready() needs a pod: add() one");
  pod_timeouts_.back() = timeout;
  return *this;
}

FlowSpec FlowBuilder::build() const {
  FlowSpec spec = spec_;
  if (spec.pods.empty()) throw SpecError(kBuilder, "a flow needs at least one pod");
  if (spec.host.empty()) throw SpecError(kBuilder, "host: expected a host name or address, got ''");
  if (spec.timeout_ready <= Duration::zero()) {
    throw SpecError(kBuilder, "timeout_ready must be greater than 0");
  }
  if (spec.request_timeout < Duration::zero()) {
    throw SpecError(kBuilder, "request_timeout: expected a duration like 5s or 200ms, got " +
                                  format_duration(spec.request_timeout));
  }
  if (spec.input) {
    const InputSpec& input = *spec.input;
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
    if (auto problem = spec::pod_name_problem(pod.name)) throw SpecError(kBuilder, *problem);
    const std::string owner = "pod '" + pod.name + "'";
    for (std::size_t j = 0; j < i; ++j) {
      if (spec.pods[j].name == pod.name) {
        throw SpecError(kBuilder, "duplicate pod name '" + pod.name + "' (first added as pod " +
                                      std::to_string(j + 1) + ")");
      }
    }
    pod.drivers = spec::resolve_uses_text(pod.uses, "FlowBuilder " + owner + " uses", *registry_);
    if (pod.runtime == Runtime::process && spec.transport == Transport::inproc) {
      throw SpecError(kBuilder, owner + ": " + spec::inproc_needs_threads_message());
    }
    pod.timeout_ready = pod_timeouts_[i].value_or(spec.timeout_ready);
    if (pod.timeout_ready <= Duration::zero()) {
      throw SpecError(kBuilder, owner + ": timeout_ready must be greater than 0");
    }
  }
  return spec;
}

}  // namespace jflow
