// AsyncFlow: a flow that runs inside the application's own event loop. It owns no thread and no
// loop. native_handle() is one file descriptor that is readable whenever the flow has work — a
// reply to deliver, a pea to answer, a deadline or health check due; the host loop watches it and
// calls process(), which does the ready work without blocking and fires the callbacks. Start and
// close are non-blocking too: start_async()/close_async() begin the handshake, process() advances
// it, and the callback says when it is done. So a 1 s flow request and an unrelated 1 s timer
// started together in one loop finish together, after about 1 s.
//
// Inside, the fd is an epoll set holding the ZMQ_FDs of the flow's sockets, an eventfd and a
// timerfd. libzmq's ZMQ_FD is edge-triggered (it only says "re-read ZMQ_EVENTS"), so after every
// process() and submit() the flow re-reads ZMQ_EVENTS itself and, if work remains, writes the
// eventfd: the fd the user sees is level-triggered and never goes quiet while work is waiting.
//
//   jflow::AsyncFlow flow(spec);
//   flow.start_async([&](const std::optional<jflow::FlowError>& error) {
//     if (!error) flow.submit(request, [](jflow::Response&& r) { /* ... */ });
//   });
//   // host loop: watch flow.native_handle() for reading; when readable: flow.process();
//   flow.close_async([] { /* stopped */ });
//
// Adapters for common loops live in jflow/reactor/ (epoll, libuv).
//
// Thread-safety: an AsyncFlow belongs to the thread that constructed or started it. submit(),
// process(), start_async() and close_async() from another thread throw FlowError (they would race
// with the loop); callbacks run on the owning thread, inside process(). close() (blocking) may be
// called from any thread once no other thread uses the flow: it takes the flow over.
#pragma once

#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jflow/flow.hpp"

namespace jflow {

namespace detail {
class FlowCore;
class StreamScheduler;
}  // namespace detail

using StartedCallback = std::function<void(const std::optional<FlowError>& error)>;
using ClosedCallback = std::function<void()>;

class AsyncFlow : public ClientCalls<AsyncFlow, void> {
 public:
  enum class State { idle, starting, running, closing, closed };
  static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

  explicit AsyncFlow(FlowSpec spec, FlowOptions options = {});
  ~AsyncFlow();  // close(): blocks until every pea is stopped
  AsyncFlow(const AsyncFlow&) = delete;
  AsyncFlow& operator=(const AsyncFlow&) = delete;

  // Launches every pea and returns at once. on_started runs inside a later process() with no
  // error once all peas are ready and wired, or with the error naming the pea that failed (the
  // flow is then stopped and closed). Throws FlowError if already started or the spec is empty.
  void start_async(StartedCallback on_started = {});

  // Begins closing: in-flight requests drain (up to close_timeout, then end with status closed),
  // then every pea is stopped and reaped. on_closed runs inside a later process(); on a flow that
  // is idle or already closed it runs at once. Closing a starting flow fails its start.
  void close_async(ClosedCallback on_closed = {});

  // Sends a request; `done` runs inside a later process(). timeout 0 uses the spec's
  // request_timeout. Throws FlowError when the flow is not running, when max_in_flight requests
  // are in flight (back-pressure: see at_capacity()), or from a thread other than the owner.
  // While half of max_in_flight or more is in flight, the request may be held to go out with
  // others (at 32 held, or in the next process(), which the fd asks for at once).
  std::string submit(Request request, ResponseCallback done, Duration timeout = Duration::zero());

  // The fd to watch for reading. Stable from construction to destruction.
  int native_handle() const;

  // Does the ready work without blocking: start/close steps, replies, deadlines, pea health.
  // Fires at most `budget` request callbacks (the fd stays readable if more are ready). Returns
  // the number of requests that ended. Throws FlowError if called from inside a callback.
  std::size_t process(std::size_t budget = kUnlimited);

  // For loops that keep their own timers: how long until process() has timed work (zero when
  // work is ready now); nullopt when nothing is scheduled. The fd must still be watched.
  std::optional<Duration> next_timeout() const;

  // Blocking close for shutdown paths (and the destructor): close_async + wait on the fd.
  void close();

  State state() const;
  bool at_capacity() const;  // submit() would refuse: max_in_flight requests are in flight
  std::size_t in_flight() const;
  std::vector<PeaStatus> status() const;
  // Whether each pod can serve now (see PodHealth); empty before start.
  std::vector<PodHealth> health() const;
  // What went wrong while the flow closed, after the requests had ended: an executor that could
  // not save its state, a pea that had to be killed. Empty after a clean close.
  const std::vector<std::string>& close_problems() const;
  const FlowSpec& spec() const;
  // A snapshot of the flow's metrics (jflow/metrics.hpp); from any thread, while the flow lives.
  FlowMetrics metrics() const;

  // ---- Client calls ----
  // The callback forms of Flow's client calls (jflow/client_calls.hpp: index, search, …, each
  // this send() with a request type and a document source): send() returns at once, having sent
  // what options.prefetch and the flow's max_in_flight allow; the rest is built and sent from
  // inside process() as requests end, so no call ever queues more than prefetch requests.
  // on_done / on_error / on_always run inside process(), then on_finished once the call's last
  // request has ended (at once, inside the call, for an empty input).
  // Throws FlowError when the flow is not running or from a thread that does not own it.
  void send(RequestType type, DocumentSource source, RequestOptions options = {});

 private:
  friend class Flow;
  // send() with a last consumer of each response (the blocking Flow collects them with it).
  void send_stream(RequestType type, DocumentSource source, RequestOptions options,
                   ResponseCallback sink);

  std::unique_ptr<detail::FlowCore> core_;
  std::unique_ptr<detail::StreamScheduler> streams_;  // client calls waiting for room
};

// Waits up to max_wait for `fd` to become readable; true if it did. The loop of the blocking Flow.
bool wait_readable(int fd, Duration max_wait);

}  // namespace jflow
