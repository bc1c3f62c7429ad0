// Words for a FlowGraph, shared by `jflow check` and `jflow export`; see flow_text.hpp.
#include "flow_text.hpp"

#include <algorithm>

#include "base/text.hpp"

namespace jflow::cli {
namespace {

std::string chain_text(const std::vector<DriverSpec>& chain, bool with_options) {
  std::vector<std::string> drivers;
  for (const DriverSpec& driver : chain) {
    const bool has_options = with_options && driver.options_yaml != "{}";
    drivers.push_back(driver.kind + (has_options ? " " + driver.options_yaml : ""));
  }
  return join_text(drivers, " -> ");
}

// Request types grouped by identical chains, in type order: {"index, search", chain}, ….
std::vector<std::pair<std::string, const std::vector<DriverSpec>*>> grouped(
    const DriverChains& chains) {
  std::vector<std::pair<std::string, const std::vector<DriverSpec>*>> groups;
  for (const auto& [type, chain] : chains.by_type) {
    const auto same = std::find_if(groups.begin(), groups.end(),
                                   [&](const auto& group) { return *group.second == chain; });
    const std::string name(request_type_name(type));
    if (same == groups.end()) {
      groups.emplace_back(name, &chain);
    } else {
      same->first += ", " + name;
    }
  }
  return groups;
}

}  // namespace

std::vector<std::string> describe_chains(const DriverChains& chains) {
  std::vector<std::string> lines;
  for (const auto& [types, chain] : grouped(chains)) {
    lines.push_back(types + ": " + chain_text(*chain, /*with_options=*/true));
  }
  return lines;
}

std::string short_chains(const DriverChains& chains) {
  const auto groups = grouped(chains);
  if (groups.empty()) return "forward";
  if (groups.size() == 1) return chain_text(*groups.front().second, /*with_options=*/false);
  std::vector<std::string> parts;
  for (const auto& [types, chain] : groups)
    parts.push_back(types + ": " + chain_text(*chain, false));
  return join_text(parts, "; ");
}

std::string bind_pattern(const FlowSpec& spec, const PeaPlan& pea, const char* socket) {
  // Peas bind port 0 (tcp) or a wildcard path (ipc) and report what they got, so only the
  // pattern is known before the flow starts; inproc names are fixed but hold the flow's id.
  switch (spec.transport) {
    case Transport::tcp:
      return "tcp://" + bind_host(spec, pea) + ":*";
    case Transport::ipc:
      return "ipc://*";
    case Transport::inproc:
      return "inproc://jflow-<flow id>-" + pea.name + "-" + socket;
  }
  return "?";
}

std::string edge_sockets(const FlowGraph& graph, const std::string& from, const std::string& to) {
  const PeaPlan* receiver = graph.find_pea(to);
  if (receiver != nullptr && receiver->role == PeaRole::replica && receiver->head == from) {
    return "ROUTER -> DEALER";
  }
  return "PUSH -> PULL";
}

std::string spread_text(const PodPlan& pod) {
  if (pod.polling == Polling::all) return "polling all";
  return "polling any, " + std::string(scheduling_name(pod.scheduling));
}

bool is_join_edge(const FlowGraph& graph, const std::string& from, const std::string& to) {
  const PeaPlan* receiver = graph.find_pea(to);
  return receiver != nullptr && std::find(receiver->join_from.begin(), receiver->join_from.end(),
                                          from) != receiver->join_from.end();
}

}  // namespace jflow::cli
