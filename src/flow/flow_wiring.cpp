#include "flow/flow_wiring.hpp"

#include "jflow/flow.hpp"

namespace jflow {
namespace {

const PeaEndpoints& endpoints_of(const std::map<std::string, PeaEndpoints>& endpoints,
                                 const std::string& pea) {
  auto it = endpoints.find(pea);
  if (it == endpoints.end()) throw FlowError("internal: no endpoints known for pea '" + pea + "'");
  return it->second;
}

const PodSpec& pod_spec(const FlowSpec& spec, const std::string& name) {
  for (const PodSpec& pod : spec.pods) {
    if (pod.name == name) return pod;
  }
  throw FlowError("internal: no pod '" + name + "' in the spec");
}

}  // namespace

PeaConfig configure_for(const WiringContext& context, const PeaPlan& pea) {
  const PodPlan* pod = context.graph.find_pod(pea.pod);
  if (pod == nullptr) throw FlowError("internal: pea '" + pea.name + "' has no pod");
  PeaConfig config;
  config.pod = pea.pod;
  config.pea = pea.name;
  config.flow_id = context.flow_id;
  config.transport = context.spec.transport;
  config.host = bind_host(context.spec, pea);
  config.drivers = pea.drivers;
  config.heartbeat_interval = context.heartbeat_interval;
  config.role = pea.role;
  config.join_from = pea.join_from;
  config.join_timeout = pod_spec(context.spec, pea.pod).join_timeout;
  config.polling = pod->polling;
  config.scheduling = pod->scheduling;
  config.plugins = context.spec.plugins;
  config.curve = context.curve;
  config.replica = pea.replica;
  config.parallel = pod->parallel;
  config.shards = pod->polling == Polling::all ? pod->parallel : 1;
  // Heads and tails route and reduce; the executor runs where the pod's work is done.
  if (pea.role == PeaRole::single || pea.role == PeaRole::replica) {
    config.executor = pod_spec(context.spec, pea.pod).executor;
  }
  if (pea.role == PeaRole::head) {
    for (const PeaPlan& other : context.graph.peas) {
      if (other.role == PeaRole::replica && other.head == pea.name)
        config.replicas.push_back(other.name);
    }
  }
  return config;
}

ControlMessage configure_message(const WiringContext& context, const PeaPlan& pea) {
  ControlMessage message = make_configure(configure_for(context, pea));
  const PodSpec& pod = pod_spec(context.spec, pea.pod);
  if (pea.role == PeaRole::tail && pod.polling == Polling::all &&
      pod.partial_results == PartialResults::flag) {
    message.fields["partial_results"] = std::string(partial_results_name(pod.partial_results));
  }
  return message;
}

std::size_t ready_endpoint_count(PeaRole role) {
  switch (role) {
    case PeaRole::replica:
      return 0;
    case PeaRole::head:
      return 2;
    case PeaRole::single:
    case PeaRole::tail:
      return 1;
  }
  return 1;
}

PeaEndpoints read_ready(PeaRole role, const std::vector<std::string>& endpoints) {
  if (endpoints.size() != ready_endpoint_count(role)) {
    throw FlowError("reported " + std::to_string(endpoints.size()) + " endpoints, a " +
                    std::string(pea_role_name(role)) + " pea reports " +
                    std::to_string(ready_endpoint_count(role)));
  }
  PeaEndpoints result;
  if (!endpoints.empty()) result.in = endpoints[0];
  if (endpoints.size() > 1) result.router = endpoints[1];
  return result;
}

ControlMessage wire_for(const PeaPlan& pea, const std::map<std::string, PeaEndpoints>& endpoints,
                        const std::string& gateway_results) {
  ControlMessage wire;
  wire.command = control::kWire;
  wire.pea = pea.name;
  for (const std::string& target : pea.downstream) {
    wire.endpoints.push_back(target == kGateway ? gateway_results
                                                : endpoints_of(endpoints, target).in);
  }
  if (pea.role == PeaRole::head) {
    // A head sends its data to replicas over its ROUTER; its one PUSH goes to the tail, for
    // requests it must end on a lost replica's behalf.
    wire.endpoints.push_back(endpoints_of(endpoints, pea.pod + "/tail").in);
  }
  if (pea.role == PeaRole::replica) wire.fields["head"] = endpoints_of(endpoints, pea.head).router;
  return wire;
}

std::vector<std::string> gateway_targets(const FlowGraph& graph,
                                         const std::map<std::string, PeaEndpoints>& endpoints) {
  std::vector<std::string> targets;
  for (const std::string& pod_name : graph.entry_pods) {
    const PodPlan* pod = graph.find_pod(pod_name);
    targets.push_back(endpoints_of(endpoints, pod->entry).in);
  }
  return targets;
}

}  // namespace jflow
