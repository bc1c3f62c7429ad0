// JoinTable: gathers the parts of one request that reach a pea from several senders — the pods a
// pod `needs`, or the shards of a polling-all pod at its tail — and releases one joined Message
// once every sender's part is in. A part is known by the pea that sent it (its last route), so a
// duplicate (a request re-dispatched after a replica died) is dropped instead of counted twice.
// A request whose parts do not all arrive by its deadline (or within the join timeout when it has
// none) is released as an error naming the senders it still waits for: nothing waits forever.
// With flag_lost_parts (a polling-all tail with `partial_results: flag`), parts that stand for a
// lost shard (status pea_lost) do not fail the request: it is released with the other parts and
// an ok status whose message says it is partial and names the lost shards.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/clock.hpp"
#include "jflow/duration.hpp"
#include "jflow/message.hpp"

namespace jflow {

class JoinTable {
 public:
  JoinTable(std::string pod, std::vector<std::string> senders, Duration join_timeout,
            bool flag_lost_parts = false);

  // Adds a part. Returns the joined message when this part completes its request.
  std::optional<Message> add(Message part);
  // Releases requests whose wait is over, each with status timeout naming what is missing.
  std::vector<Message> expire(SteadyTime now);
  std::optional<SteadyTime> next_expiry() const;
  std::size_t waiting() const { return pending_.size(); }

 private:
  struct Pending {
    SteadyTime expires;
    std::map<std::string, Message> parts;  // by sender
  };
  Message join(Pending& pending);
  void remember_done(const std::string& request_id);

  std::string pod_;
  std::vector<std::string> senders_;
  Duration join_timeout_;
  bool flag_lost_parts_;
  std::map<std::string, Pending> pending_;  // by request id
  // Recently completed ids, so a straggling duplicate part does not open a new join.
  std::unordered_set<std::string> done_;
  std::deque<std::string> done_order_;
};

}  // namespace jflow
