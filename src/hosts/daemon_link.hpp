// DaemonLink: the orchestrator's side of one `jflow daemon` (jflow/daemon_protocol.hpp). It asks
// the daemon to launch peas, forwards what they print to stderr, heartbeats, and knows how each
// remote pea ended — or that the whole host is gone. RemotePea turns that into a PeaHandle, so the
// flow watches a pea on another host exactly like a local one. Private to jflow_core.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "base/clock.hpp"
#include "jflow/codec.hpp"
#include "jflow/curve_keys.hpp"
#include "pea/pea_handle.hpp"

namespace jflow::detail {

class DaemonLink {
 public:
  // `address` is "ADDR:PORT". With `own_keys` the link is CURVE and `daemon_public` is the
  // daemon's key; without, it is plain tcp.
  // `flow_id` names this orchestrator's connection, so a reconnect keeps its peas.
  DaemonLink(zmq::context_t& context, std::string address,
             const std::optional<CurveKeyPair>& own_keys, const std::string& daemon_public,
             const std::string& flow_id);
  ~DaemonLink();
  DaemonLink(const DaemonLink&) = delete;
  DaemonLink& operator=(const DaemonLink&) = delete;

  const std::string& address() const { return address_; }
  zmq::socket_t& socket() { return socket_; }
  zmq::socket_t& monitor() { return monitor_; }

  void launch(const std::string& pea, const std::string& control_endpoint,
              const std::string& flow_id, const std::optional<CurveKeyPair>& session);
  void kill(const std::string& pea);
  void bye();

  // Reads what the daemon sent and what the socket monitor saw, and notices a daemon that went
  // silent. Called on every process() step.
  void pump(SteadyTime now);

  // nullopt while the pea runs (as far as anyone knows); else how it ended or why it is lost.
  std::optional<PeaEnd> pea_ended(const std::string& pea) const;
  int pea_pid(const std::string& pea) const;
  // Why the daemon cannot be used (silent, refused our key); nullopt while it is fine.
  const std::optional<std::string>& lost() const { return lost_; }
  // Whether it is lost for good (it refused our key), rather than silent: a silent daemon is
  // pinged, and when one answers at the address again (a restarted daemon, a healed network) the
  // link is fine again and the peas there can be launched anew.
  bool lost_for_good() const { return lost_ && !silent_; }

 private:
  struct RemotePeaState {
    std::int64_t incarnation = 0;  // launches of this name so far (the daemon echoes it)
    int pid = 0;
    std::optional<PeaEnd> ended;
  };
  void send(const ControlMessage& message);
  void handle(const ControlMessage& message);
  void read_monitor();

  std::string address_;
  zmq::socket_t socket_;
  zmq::socket_t monitor_;  // PAIR reading the socket monitor: handshake failures
  std::map<std::string, RemotePeaState> peas_;
  SteadyTime last_heard_;
  bool heard_ = false;  // the daemon answered at least once
  std::optional<std::string> lost_;
  bool silent_ = false;  // lost_ because it stopped answering: pinged until it answers again
  SteadyTime next_ping_{};
};

// A pea launched by a daemon on another host.
std::unique_ptr<PeaHandle> start_remote_pea(std::shared_ptr<DaemonLink> link, std::string name,
                                            const std::string& control_endpoint,
                                            const std::string& flow_id,
                                            const std::optional<CurveKeyPair>& session);

}  // namespace jflow::detail
