// ReplicaDispatcher: the head of a parallel pod. Replicas connect DEALERs to the head's ROUTER
// and grant credit (how many requests each may hold); the head sends only to replicas with
// credit and keeps a copy of every request a replica holds until the replica reports it done.
//   polling any:  each request to one replica — the one with most free credit (load_balance) or
//                 the next in turn that has credit (round_robin).
//   polling all:  each request to every replica (shard); the tail joins their answers.
// When the orchestrator reports a replica lost, the requests it held go to another replica if
// their deadline allows (polling any), otherwise they are sent on to the tail as errors naming
// the replica — so nothing it held is silently dropped. A restarted replica connects under the
// same name and gives credit again: it is alive once more.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "jflow/message.hpp"
#include "jflow/topology.hpp"
#include "pea/pea_outputs.hpp"

namespace jflow {

class ReplicaDispatcher {
 public:
  ReplicaDispatcher(zmq::context_t& context, std::string pod, Polling polling,
                    Scheduling scheduling, const std::vector<std::string>& replicas,
                    PeaOutputs& to_tail);

  zmq::socket_t& socket() { return router_; }
  void dispatch(Message&& message);
  // Reads credit and done reports from replicas, then sends what they now have room for.
  void on_readable();
  void replica_lost(const std::string& replica, const std::string& reason);
  // True when so much waits for credit that the head should stop reading its input.
  bool saturated() const;
  std::size_t waiting() const;
  std::int64_t dispatched(const std::string& replica) const;
  // What the head may still hand the replica now (0 for a lost or unconnected one).
  std::int64_t credit(const std::string& replica) const;
  // Requests the replicas hold (sent, not yet reported done).
  std::size_t held() const;
  // Bytes of the request frames sent to replicas (envelope and body, not the routing id).
  std::uint64_t sent_bytes() const { return sent_bytes_; }
  // The replicas that have not yet connected and given credit (empty once all have).
  std::vector<std::string> unconnected() const;

 private:
  using Frames = std::array<zmq::message_t, 2>;
  // A request on its way to a replica, with what the head needs to know without decoding it.
  struct Outgoing {
    Frames frames;  // copies share the body's bytes with the sent message, not duplicate them
    std::string request_id;
    std::int64_t deadline_ns = 0;
    Outgoing copy() const;
  };
  struct Replica {
    std::string name;
    bool alive = true;
    bool connected = false;  // its first credit arrived
    std::int64_t credit = 0;
    std::int64_t dispatched = 0;
    std::map<std::string, Outgoing, std::less<>> held;  // by request id
    std::deque<Outgoing> queue;  // polling all: requests waiting for this shard's credit
  };

  bool send_to(Replica& replica, Outgoing& outgoing);  // false: its connection is gone
  void pump();
  Replica* pick();
  Replica* find(const std::string& name);
  void revive(Replica& replica);  // a lost replica's successor gave credit
  // Sends the request on to the tail with status pea_lost, as if `replica` had answered it.
  void fail_to_tail(const Outgoing& outgoing, const std::string& replica,
                    const std::string& reason);

  std::string pod_;
  Polling polling_;
  Scheduling scheduling_;
  zmq::socket_t router_;
  PeaOutputs& to_tail_;
  std::deque<Replica> replicas_;  // a deque: Replica is move-only and never relocated
  std::deque<Outgoing> waiting_;  // polling any: requests waiting for any replica's credit
  std::size_t next_turn_ = 0;
  std::map<std::string, std::string> lost_;    // replica → why, for requests that arrive later
  std::vector<zmq::message_t> report_frames_;  // reused for every replica's report
  std::uint64_t sent_bytes_ = 0;
};

}  // namespace jflow
