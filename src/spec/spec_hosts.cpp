// Checks for pods that run on other hosts (`host:`) and for `curve:`, shared by the YAML parser
// and FlowBuilder so both refuse the same specs with the same words.
#include "base/text.hpp"
#include "jflow/curve_keys.hpp"
#include "jflow/defaults.hpp"
#include "spec/flow_graph.hpp"
#include "spec/spec_support.hpp"

namespace jflow::spec {

std::string daemon_address(const std::string& written) {
  if (written.empty()) throw std::invalid_argument("expected ADDR or ADDR:PORT, got ''");
  if (written.find("://") != std::string::npos) {
    throw std::invalid_argument("expected ADDR or ADDR:PORT without a scheme, got '" + written +
                                "' (jflow daemons are reached over tcp)");
  }
  const auto colon = written.rfind(':');
  if (colon == std::string::npos) return written + ":" + std::to_string(defaults::kDaemonPort);
  const std::string address = written.substr(0, colon);
  const std::string port_text = written.substr(colon + 1);
  const std::optional<int> port = parse_integer<int>(port_text);
  if (address.empty() || !port || *port < 1 || *port > 65535) {
    throw std::invalid_argument("expected ADDR or ADDR:PORT with a port from 1 to 65535, got '" +
                                written + "'");
  }
  return written;
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

namespace {

SourceLocation host_location(const PodSpec& pod) {
  auto it = pod.key_where.find("host");
  return it != pod.key_where.end() ? it->second : pod.where;
}

}  // namespace

void check_hosts(const FlowSpec& spec) {
  for (const PodSpec& pod : spec.pods) {
    if (pod.host.empty()) continue;
    const SourceLocation where = host_location(pod);
    const std::string prefix = "pod '" + pod.name + "' host: ";
    if (spec.transport != Transport::tcp) {
      throw SpecError(where, prefix +
                                 "a pod on another host is reached over tcp, but the flow's "
                                 "transport is " +
                                 std::string(transport_name(spec.transport)) +
                                 " (set transport: tcp)");
    }
    auto runtime = pod.key_where.find("runtime");
    if (runtime != pod.key_where.end() && pod.runtime == Runtime::thread) {
      throw SpecError(runtime->second, "pod '" + pod.name +
                                           "' runtime: a pod on another host runs as processes "
                                           "started by that host's daemon; drop runtime: thread");
    }
    // Peas there connect back to this machine's peas and to the orchestrator, which bind on the
    // flow's `host:`; loopback is only reachable when the daemon is on this machine too.
    if (is_loopback_host(spec.host) && !is_loopback_host(daemon_host(pod.host))) {
      throw SpecError(where, prefix + "peas on " + pod.host +
                                 " must reach this machine, but the flow binds on " + spec.host +
                                 " (set the flow's host: to an address of this machine that " +
                                 daemon_host(pod.host) + " can reach)");
    }
    if (spec.curve && !spec.curve->hosts.count(pod.host)) {
      throw SpecError(where, prefix + "curve: has no key for " + pod.host +
                                 " (add it under curve: hosts:, e.g. " + pod.host +
                                 ": keys/host.pub from `jflow keygen` on that host)");
    }
  }
}

}  // namespace jflow::spec
