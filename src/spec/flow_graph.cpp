// build_flow_graph: a checked FlowSpec expanded into the peas that run; see flow_graph.hpp for the
// shape of each pod and what every PeaPlan field means to the runtime.
#include "spec/flow_graph.hpp"

#include <algorithm>

#include "spec/spec_support.hpp"

namespace jflow {
namespace {

std::string head_name(const std::string& pod) {
  return pod + "/head";
}
std::string tail_name(const std::string& pod) {
  return pod + "/tail";
}
std::string replica_name(const std::string& pod, std::size_t replica) {
  return pod + "/" + std::to_string(replica);
}

PodPlan plan_pod(const PodSpec& pod) {
  PodPlan plan;
  plan.name = pod.name;
  plan.parallel = pod.parallel;
  plan.polling = pod.polling;
  plan.scheduling = pod.scheduling;
  plan.entry = pod.parallel == 1 ? pod.name : head_name(pod.name);
  plan.exit = pod.parallel == 1 ? pod.name : tail_name(pod.name);
  plan.needs = pod.needs;
  return plan;
}

// The peas of one pod, given where its output goes and which senders its entry joins.
void plan_peas(const PodSpec& pod, const std::vector<std::string>& downstream,
               const std::vector<std::string>& join_from, std::vector<PeaPlan>& peas) {
  const auto pea = [&](std::string name, PeaRole role, DriverChains drivers) {
    PeaPlan plan;
    plan.pod = pod.name;
    plan.name = std::move(name);
    plan.role = role;
    plan.runtime = pod.runtime;
    plan.host = pod.host;
    plan.drivers = std::move(drivers);
    return plan;
  };
  if (pod.parallel == 1) {
    PeaPlan single = pea(pod.name, PeaRole::single, pod.drivers);
    single.join_from = join_from;
    single.downstream = downstream;
    peas.push_back(std::move(single));
    return;
  }
  PeaPlan head = pea(head_name(pod.name), PeaRole::head, pod.uses_before);
  head.join_from = join_from;  // the head is the pod's entry, so it does the pod's join
  peas.push_back(std::move(head));

  std::vector<std::string> replicas;
  for (std::size_t i = 0; i < pod.parallel; ++i) {
    PeaPlan replica = pea(replica_name(pod.name, i), PeaRole::replica, pod.drivers);
    replica.replica = i;
    replica.head = head_name(pod.name);
    replica.downstream = {tail_name(pod.name)};
    replicas.push_back(replica.name);
    peas.push_back(std::move(replica));
  }

  PeaPlan tail = pea(tail_name(pod.name), PeaRole::tail, pod.uses_after);
  // With polling any each request passes one replica, so the tail has nothing to wait for.
  if (pod.polling == Polling::all) tail.join_from = std::move(replicas);
  tail.downstream = downstream;
  peas.push_back(std::move(tail));
}

}  // namespace

std::string daemon_host(const std::string& daemon_address) {
  return daemon_address.substr(0, daemon_address.rfind(':'));
}

std::string bind_host(const FlowSpec& spec, const PeaPlan& pea) {
  return pea.host.empty() ? spec.host : daemon_host(pea.host);
}

FlowGraph build_flow_graph(const FlowSpec& input) {
  FlowSpec spec = input;  // specs made by hand may leave `needs` to the defaults
  spec::fill_default_needs(spec);
  spec::check_topology(spec);

  FlowGraph graph;
  for (const PodSpec& pod : spec.pods) graph.pods.push_back(plan_pod(pod));
  const auto plan_of = [&](const std::string& name) -> const PodPlan& {
    return *graph.find_pod(name);
  };

  for (const PodSpec& pod : spec.pods) {
    std::vector<std::string> downstream;
    for (const PodSpec& other : spec.pods) {
      if (std::find(other.needs.begin(), other.needs.end(), pod.name) != other.needs.end()) {
        downstream.push_back(plan_of(other.name).entry);
      }
    }
    if (downstream.empty()) {
      // check_topology() leaves exactly one pod that nobody needs: the sink.
      downstream.emplace_back(kGateway);
      graph.sink_pod = pod.name;
    }
    std::vector<std::string> join_from;
    if (pod.needs.size() > 1) {
      for (const std::string& need : pod.needs) join_from.push_back(plan_of(need).exit);
    }
    if (pod.needs == std::vector<std::string>{kGateway}) graph.entry_pods.push_back(pod.name);
    plan_peas(pod, downstream, join_from, graph.peas);
  }
  return graph;
}

const PeaPlan* FlowGraph::find_pea(std::string_view name) const {
  const auto found =
      std::find_if(peas.begin(), peas.end(), [&](const PeaPlan& pea) { return pea.name == name; });
  return found == peas.end() ? nullptr : &*found;
}

const PodPlan* FlowGraph::find_pod(std::string_view name) const {
  const auto found =
      std::find_if(pods.begin(), pods.end(), [&](const PodPlan& pod) { return pod.name == name; });
  return found == pods.end() ? nullptr : &*found;
}

}  // namespace jflow
