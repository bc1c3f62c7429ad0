// How `jflow check` and `jflow export` put a FlowGraph into words: driver chains, socket types and
// endpoints, named the same way in both so that the picture and the listing agree.
#pragma once

#include <string>
#include <vector>

#include "spec/flow_graph.hpp"

namespace jflow::cli {

// "index, search, train: WaitDriver {duration: 1s} -> LogDriver" (one line per distinct chain);
// an empty result means the pea forwards every request unchanged.
std::vector<std::string> describe_chains(const DriverChains& chains);
// The driver kinds of a chain set, short enough for a node label: "WaitDriver -> LogDriver", or
// "per type: ..." when request types differ; "forward" when there are none.
std::string short_chains(const DriverChains& chains);
// Where a pea's socket binds, as far as it is known before start: "tcp://127.0.0.1:*".
std::string bind_pattern(const FlowSpec& spec, const PeaPlan& pea, const char* socket);
// The socket pair on the edge from `from` into `to`: "PUSH -> PULL", "ROUTER -> DEALER".
std::string edge_sockets(const FlowGraph& graph, const std::string& from, const std::string& to);
// How a parallel pod spreads requests: "polling any, load_balance" / "polling all".
std::string spread_text(const PodPlan& pod);
// True when `to` joins the parts of a request, one of which comes from `from`.
bool is_join_edge(const FlowGraph& graph, const std::string& from, const std::string& to);

}  // namespace jflow::cli
