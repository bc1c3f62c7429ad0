// Gateway: the request path of a running flow. It sends each request into the entry pod(s),
// queueing it in the outbox while a socket cannot take it; keeps it pending by request_id until
// its reply arrives on the results socket (where the last pea sends) or its deadline passes; and
// hands each caller its Response exactly once. Requests that end without a round trip (the flow
// is broken or closing) wait in a ready queue that process() delivers, so a callback never runs
// inside submit(). Private to jflow_core.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "base/clock.hpp"
#include "flow/flow_metrics.hpp"
#include "flow/pending_requests.hpp"
#include "flow/wake_fd.hpp"
#include "jflow/curve_keys.hpp"
#include "jflow/flow.hpp"
#include "wire/frame_keeper.hpp"

namespace jflow::detail {

class Gateway {
 public:
  Gateway(zmq::context_t& context, WakeFd& wake);

  // Binds the results socket, where the flow's last pea sends its replies.
  void open_results(const FlowSpec& spec, const std::string& flow_id,
                    const std::optional<CurveKeyPair>& session);
  const std::string& results_endpoint() const { return results_endpoint_; }
  // Connects one PUSH per entry pod, so that each gets every request (one PUSH connected to
  // several peas would deal requests out among them instead).
  void connect(const std::vector<std::string>& targets, std::size_t max_in_flight,
               const std::optional<CurveKeyPair>& session);
  // A restarted entry pea bound another endpoint than its predecessor: the PUSH connected to
  // `from` connects to `to` instead. Other endpoints are not the gateway's: nothing happens.
  void reconnect(const std::string& from, const std::string& to);
  // Where the gateway records what it sends and how each request ends; null: nothing recorded.
  void set_metrics(MetricsRegistry* metrics) { metrics_ = metrics; }
  // Unwatches and closes every socket. Replies that arrive later are not read.
  void close();

  // Sends `request` (or queues it in the outbox); `done` runs once it ends. `timeout` zero: no
  // deadline. On a broken flow the request ends at once, in the ready queue. Returns its id.
  //
  // While half of max_in_flight or more is already in flight, a request is held in the outbox
  // and sent with the others of its burst: at kBurst held, or at the next process() step,
  // whichever comes first. The pipeline has work queued then, so holding costs it nothing, and
  // sending many at once wakes the gateway's I/O thread once for all of them instead of once
  // each (bench/README.md, "Bursts").
  std::string send(Request request, ResponseCallback done, Duration timeout);
  void flush_outbox();
  // True when the outbox holds requests not yet tried (held for a burst): the next process()
  // step sends them.
  bool holding() const { return holding_; }
  // Reads at most `budget` replies (and at most a batch, so a busy flow cannot starve the host
  // loop) and ends their requests.
  void read_results(std::size_t budget);
  void expire_deadlines(SteadyTime now);

  // A pea the flow cannot do without is gone: whatever was in flight may be inside it or queued
  // for it, so every pending request ends now naming it, and later ones end at once.
  void break_flow(const std::string& why, const std::string& pod);
  // A pea of `pod` died and is being restarted: what was in flight may be inside it (and cannot
  // be known safe to send twice), so every pending request ends now naming it (`why`), and new
  // ones end at once, until pod_back(pod).
  void pod_down(const std::string& pod, const std::string& why);
  void pod_back(const std::string& pod);
  // Ends every pending request with `code` (through the ready queue) and drops the outbox.
  void end_all(StatusCode code, const std::string& message, const std::string& pod);
  // Runs at most `budget` callbacks of requests in the ready queue.
  void deliver_ready(std::size_t budget);

  bool broken() const { return broken_.has_value(); }
  // Requests end at once instead of travelling: the flow is broken or a pod is restarting a pea.
  bool refusing() const { return broken_.has_value() || !down_.empty(); }
  std::size_t in_flight() const { return pending_.size(); }
  bool idle() const { return pending_.empty(); }
  std::uint64_t ended_count() const { return ended_count_; }  // callbacks run, ever
  std::optional<SteadyTime> next_deadline() const { return pending_.next_deadline(); }

  // What the re-arm after process() asks: is there work that no ZMQ_FD edge will announce? Reads
  // ZMQ_EVENTS of every socket (that is what resets their ZMQ_FD edges), whatever the answer.
  // `reading_results`: whether the phase reads replies at all.
  bool has_ready_work(bool reading_results);
  // The cheaper question after a submit, which touched the gateway sockets only: a request waits
  // in the outbox and a socket could take it now.
  bool outbox_sendable();

 private:
  using Frames = std::array<zmq::message_t, 2>;
  bool try_send(Frames& frames);
  // "<6 hex digits of the flow id>-<sequence>", and back (nullopt for an id this gateway did not
  // give out).
  std::string request_id(PendingRequests::Sequence sequence) const;
  std::optional<PendingRequests::Sequence> sequence_of(std::string_view id) const;
  // Runs the caller's callback; `response` carries the request's id.
  void end(PendingRequests::Entry entry, Response response);
  void record_queue() {
    if (metrics_) metrics_->set_gateway_queue(outbox_.size());
  }
  void end_with(std::string id, PendingRequests::Entry entry, StatusCode code, std::string message,
                std::string pod);

  zmq::context_t& context_;
  WakeFd& wake_;
  std::optional<zmq::socket_t> results_;
  std::string results_endpoint_;
  std::optional<zmq::socket_t> gateway_;  // PUSH to the (first) entry pod
  // PUSHes to the other entry pods, when several pods need the gateway: each gets a copy of every
  // request. Not watched: a PUSH whose queue is bounded by max_in_flight never blocks in
  // practice, and try_send() checks that each can take the request before sending any copy.
  std::vector<zmq::socket_t> more_gateways_;
  std::vector<std::string> targets_;  // what gateway_, then each of more_gateways_, connects to
  std::string id_prefix_;             // the start of the flow's id and "-" (open_results)
  std::uint64_t next_request_ = 0;
  PendingRequests pending_;
  // A vector, not a deque: emptied by every burst, it keeps its room, where a deque would
  // allocate a block for every few requests held.
  std::vector<Frames> outbox_;
  bool holding_ = false;        // the outbox's back holds requests held for a burst
  std::size_t burst_from_ = 0;  // requests in flight from which sends are held; 0: never
  // Buffers reused on every request and reply: the per-request path allocates less.
  Envelope request_envelope_;
  std::string envelope_bytes_;
  std::string body_bytes_;
  std::vector<zmq::message_t> reply_frames_;
  FrameKeeper kept_frames_;  // a reference to each request's frames (wire/frame_keeper.hpp)
  std::deque<std::pair<ResponseCallback, Response>> ready_;
  std::optional<std::string> broken_;  // why the flow can no longer serve requests
  std::string broken_pod_;
  std::map<std::string, std::string> down_;  // pod → why, while it restarts a pea
  std::uint64_t late_replies_ = 0;
  std::uint64_t ended_count_ = 0;
  MetricsRegistry* metrics_ = nullptr;
};

}  // namespace jflow::detail
