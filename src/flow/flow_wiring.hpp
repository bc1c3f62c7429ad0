// How the orchestrator turns a FlowGraph into control messages: what each pea is told in
// `configure`, what it must report in `ready`, and whom it connects to in `wire`.
// Private to jflow_core; used by the PeaSupervisor (configure, ready, wire) and FlowCore.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "control/control.hpp"
#include "jflow/codec.hpp"
#include "spec/flow_graph.hpp"

namespace jflow {

// The endpoints a pea bound, from its `ready`.
struct PeaEndpoints {
  std::string in;      // its data-in PULL (empty for a replica)
  std::string router;  // a head's ROUTER for its replicas
};

struct WiringContext {
  const FlowSpec& spec;
  const FlowGraph& graph;
  std::string flow_id;
  Duration heartbeat_interval;
  std::optional<CurveKeyPair> curve;  // the flow's CURVE session, when it has one
};

PeaConfig configure_for(const WiringContext& context, const PeaPlan& pea);

// The `configure` message for `pea`: make_configure(configure_for(…)), plus the field
// `partial_results: flag` for the tail of a polling-all pod that asks for flagged partial results
// (peas that do not know the field read it as absent, i.e. the default `error`).
ControlMessage configure_message(const WiringContext& context, const PeaPlan& pea);

// How many endpoints a pea of this role reports in `ready`: [in], [in, router] or [].
std::size_t ready_endpoint_count(PeaRole role);
PeaEndpoints read_ready(PeaRole role, const std::vector<std::string>& endpoints);

// The `wire` message for `pea`: its downstream data-in endpoints (the gateway's results endpoint
// for the sink), and for a replica its head's ROUTER.
ControlMessage wire_for(const PeaPlan& pea, const std::map<std::string, PeaEndpoints>& endpoints,
                        const std::string& gateway_results);

// Where the gateway sends each request: the data-in of every entry pod's entry pea.
std::vector<std::string> gateway_targets(const FlowGraph& graph,
                                         const std::map<std::string, PeaEndpoints>& endpoints);

}  // namespace jflow
