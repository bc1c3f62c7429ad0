// The control protocol between the orchestrator (a ROUTER) and each pea (a DEALER whose routing id
// is the pea's name). One pea's life:
//   pea → hello            orchestrator → configure {pod, transport, host, drivers, heartbeat}
//   pea → ready {endpoints: [data-in]}   (or failed {message} when its drivers cannot be built)
//   (a head reports [data-in, router]; a replica binds nothing and reports [])
//   orchestrator → wire {endpoints: [downstream…], head: router}   pea → wired
//   orchestrator → replica_lost {replica, reason}   (to a head, when one of its replicas died)
//   orchestrator → rejoin   (to a replica, when its head was restarted: give the new head credit)
//   A restarted pea gets `configure` with bind_in (and a head bind_router): the endpoints its
//   predecessor had, which it binds again, so that its neighbours reconnect by themselves. When
//   one cannot be bound (the pod came back at a new address, the port is taken), it binds a free
//   one and reports that in `ready`; then every other pea is sent
//   orchestrator → rewire {from, to}   (what is connected to `from` connects to `to` instead)
//   pea → heartbeat {handled, errors, waiting, outbox, in_bytes, out_bytes, in_flight; a join:
//         joining; a head: queued, dispatched:R and credit:R per replica R} every heartbeat
//         interval (the byte counts are totals since the pea started; the flow's metrics)
//   orchestrator → status   pea → status {...}
//   pea → rejected {message}  when a frame on its data socket could not be decoded
//   orchestrator → terminate   pea → bye
#pragma once

#include <string>

#include "jflow/codec.hpp"
#include "jflow/curve_keys.hpp"
#include "jflow/flow_spec.hpp"
#include "jflow/topology.hpp"

namespace jflow::control {

inline constexpr const char* kHello = "hello";
inline constexpr const char* kConfigure = "configure";
inline constexpr const char* kReady = "ready";
inline constexpr const char* kFailed = "failed";
inline constexpr const char* kWire = "wire";
inline constexpr const char* kWired = "wired";
inline constexpr const char* kHeartbeat = "heartbeat";
inline constexpr const char* kStatus = "status";
inline constexpr const char* kRejected = "rejected";
inline constexpr const char* kReplicaLost = "replica_lost";  // to a head: {replica, reason}
inline constexpr const char* kRejoin = "rejoin";             // to a replica: its head was restarted
inline constexpr const char* kRewire = "rewire";             // to any pea: {from, to} endpoints
inline constexpr const char* kTerminate = "terminate";
inline constexpr const char* kBye = "bye";

}  // namespace jflow::control

namespace jflow {

// Everything a pea needs to know to run, sent by the orchestrator in `configure`.
struct PeaConfig {
  std::string pod;
  std::string pea;
  std::string flow_id;
  Transport transport = Transport::tcp;
  std::string host = "127.0.0.1";
  DriverChains drivers;
  Duration heartbeat_interval = std::chrono::milliseconds(100);
  PeaRole role = PeaRole::single;
  std::vector<std::string> join_from;  // senders whose parts this pea joins (empty: no join)
  Duration join_timeout = std::chrono::seconds(30);  // for requests without a deadline
  Polling polling = Polling::any;                    // head only
  Scheduling scheduling = Scheduling::load_balance;  // head only
  std::vector<std::string> replicas;                 // head only: its replicas' names
  std::int64_t window = 16;  // replica only: requests it may hold at once (its credit)
  // The pod's executor (single and replica peas), with metas completed for this pea.
  std::optional<ExecutorSpec> executor;
  std::size_t replica = 0;   // this pea's replica (shard) index
  std::size_t parallel = 1;  // the pod's replica count
  std::size_t shards = 1;    // parallel with polling: all, else 1 (see DriverContext::shards)
  std::vector<std::filesystem::path> plugins;  // loaded before drivers and executor are built
  // The flow's CURVE session (jflow/curve_link.hpp) for the data sockets; unset: no encryption.
  std::optional<CurveKeyPair> curve;
};

ControlMessage make_configure(const PeaConfig& config);
// Throws DecodeError when a field is missing or malformed.
PeaConfig read_configure(const ControlMessage& message);

std::string chains_to_yaml(const DriverChains& chains);
DriverChains chains_from_yaml(const std::string& text);

}  // namespace jflow
