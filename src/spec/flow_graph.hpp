// FlowGraph: a validated FlowSpec expanded into the peas that will run and how they connect.
// FlowSpec says what the user wrote; FlowGraph says what starts: each pod becomes one pea
// (parallel: 1) or a head, N replicas and a tail (parallel: N), and every edge names the pea that
// sends and the pea that receives. The orchestrator starts and wires exactly this; `jflow check`
// and `jflow export` print it.
//
// Data plane, per pod:
//   parallel 1:  [upstream] --PUSH--> (pea: PULL in) --PUSH--> [downstream]
//   parallel N:  [upstream] --PUSH--> (head: PULL in, ROUTER) <--DEALER-- (replica i) --PUSH-->
//                (tail: PULL in) --PUSH--> [downstream]
// A pea whose input gathers several parts of one request (a pod with several `needs`, or the tail
// of a `polling: all` pod) has join_from set and waits for all of them before running once.
// The gateway (the Flow itself) is the upstream of every pod that needs nothing but the gateway,
// and the downstream of the single sink pod.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "jflow/flow_spec.hpp"
#include "jflow/topology.hpp"

namespace jflow {

// kGateway ("gateway") is declared in topology.hpp, so that flow_spec.hpp can use it too.

struct PeaPlan {
  std::string pod;
  std::string name;  // "pod" (single), "pod/head", "pod/0" … "pod/N-1", "pod/tail"
  PeaRole role = PeaRole::single;
  Runtime runtime = Runtime::thread;
  std::string host;         // "ADDR:PORT" of the daemon that starts it; empty: started here
  DriverChains drivers;     // single/replica: the pod's uses; head: uses_before; tail: uses_after
  std::size_t replica = 0;  // replica index (shard id with polling: all)
  // Peas whose parts of one request this pea waits for before running once (the exits of the
  // pods it needs, or a polling-all pod's replicas for its tail). Empty: no join.
  std::vector<std::string> join_from;
  // Peas this one sends its output to, each on its own PUSH socket (a copy to each), in order:
  // the entry peas of downstream pods, or kGateway. Empty for a head (it sends to its replicas).
  std::vector<std::string> downstream;
  // For a replica: its head (whose ROUTER it connects its DEALER to). Empty otherwise.
  std::string head;
};

// The ADDR of a daemon's "ADDR:PORT" (PodSpec::host, PeaPlan::host, always with a port).
std::string daemon_host(const std::string& daemon_address);
// Where a tcp pea binds: a pea on another host binds on the address its daemon is reached on;
// every other pea on the flow's `host:`.
std::string bind_host(const FlowSpec& spec, const PeaPlan& pea);

struct PodPlan {
  std::string name;
  std::size_t parallel = 1;
  Polling polling = Polling::any;
  Scheduling scheduling = Scheduling::load_balance;
  std::string entry;               // the pea upstream pods send to (the single pea or the head)
  std::string exit;                // the pea that sends downstream (the single pea or the tail)
  std::vector<std::string> needs;  // upstream pod names, or kGateway
};

struct FlowGraph {
  std::vector<PodPlan> pods;            // in spec order
  std::vector<PeaPlan> peas;            // pods' peas in spec order: head, replicas, tail
  std::vector<std::string> entry_pods;  // pods the gateway sends each request to
  std::string sink_pod;                 // the pod whose output returns to the gateway

  const PeaPlan* find_pea(std::string_view name) const;
  const PodPlan* find_pod(std::string_view name) const;
};

// Expands a spec into its graph. Throws SpecError (located at the pod) for anything that cannot
// run: unknown needs, cycles, several sinks or pods nothing reaches, parallel < 1, polling: all
// without a reducer (uses_after) to merge the shards' answers.
FlowGraph build_flow_graph(const FlowSpec& spec);

}  // namespace jflow
