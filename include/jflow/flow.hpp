// Flow: a running flow of pods, driven from the caller's thread. start() launches every pea in
// parallel (threads in this process, or `jflow pea` processes), waits until each reports ready,
// and wires them; submit() sends a request and call() waits for its reply; close() drains what is
// in flight, stops every pea and reaps every process.
//
// Every submitted request ends exactly once in its callback: with the flow's answer, or with an
// error status naming the pod/pea and the reason (driver exception, deadline passed, pea died,
// flow closed). Nothing is dropped silently and nothing waits forever.
//
//   jflow::Flow flow(jflow::load_flow_yaml("flows/hello.yml"));
//   flow.start();
//   jflow::Response r = flow.call(jflow::Request{.docs = {{.text = "hello"}}});
//   flow.close();
//
// Flow is AsyncFlow (jflow/async_flow.hpp) plus its own loop: poll() waits on the AsyncFlow's fd
// and calls process(). Use AsyncFlow directly to run a flow inside another event loop.
//
// Thread-safety: a Flow belongs to the thread that started it; submit/poll/call from another
// thread throw FlowError. close() (and the destructor) may run on any thread once no other thread
// uses the flow.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "jflow/client_calls.hpp"
#include "jflow/document_source.hpp"
#include "jflow/flow_spec.hpp"
#include "jflow/metrics.hpp"
#include "jflow/request.hpp"
#include "jflow/request_options.hpp"
#include "jflow/response.hpp"

namespace jflow {

class AsyncFlow;

struct FlowOptions {
  // The `jflow` binary for process peas. Empty: $JFLOW_EXECUTABLE, else `jflow` beside this
  // executable, else the build tree's binary, else `jflow` on PATH.
  std::filesystem::path jflow_executable;
  Duration heartbeat_interval = std::chrono::milliseconds(100);
  Duration heartbeat_timeout = std::chrono::seconds(3);  // a pea silent this long is dead
  Duration close_timeout = std::chrono::seconds(10);     // drain budget before peas are stopped
  Duration stop_grace = std::chrono::seconds(2);  // a pea told to stop is killed after this long
  // Requests in flight at once: Flow::submit() waits (polling) beyond this; AsyncFlow::submit()
  // refuses. 0: the spec's max_in_flight (the flow key; defaults::kMaxInFlight when not given).
  std::size_t max_in_flight = 0;
  // Drivers for thread peas (process peas always use the built-in ones). Null: builtin_drivers().
  // Lets an application run its own driver kinds in-process; it must outlive the flow.
  const DriverRegistry* drivers = nullptr;
  // Count requests, replies and the route timings for metrics() (jflow/metrics.hpp). Costs a
  // few additions under a lock per request; off: metrics() reports nothing.
  bool metrics = true;
};

// What the orchestrator knows about one pea.
struct PeaStatus {
  std::string pod;
  std::string pea;
  std::string runtime;   // "thread" / "process"
  std::string endpoint;  // its bound data-in endpoint
  int pid = 0;           // process peas only
  bool alive = false;    // wired and serving (state "running")
  // "starting", "running", "restarting" (dead, being started again), "dead" (restart: never),
  // "failed" (kept crashing: not restarted past max_restarts), "stopped".
  std::string state;
  std::string role;          // "single", "head", "replica", "tail"
  std::size_t restarts = 0;  // times it was started again since the flow started
  std::string last_error;    // how it last died (or what it last rejected)
};

// Whether a pod can serve requests now, as /readyz and `jflow ping` report it: its lone pea, head
// and tail are running and at least one replica (polling any) or every shard (polling all) is.
struct PodHealth {
  std::string pod;
  bool ready = false;
  std::size_t peas = 0;
  std::size_t peas_alive = 0;
  std::string why;  // when not ready: each pea that is not running, and how it died
};

class FlowError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Flow : public ClientCalls<Flow, std::vector<Response>> {
 public:
  explicit Flow(FlowSpec spec, FlowOptions options = {});
  ~Flow();  // close()
  Flow(const Flow&) = delete;
  Flow& operator=(const Flow&) = delete;

  // Starts every pea, waits until all are ready (each pod's timeout_ready), wires them.
  // Throws FlowError naming the pea that failed or timed out; nothing is left running then.
  void start();

  // Sends a request; `done` is called from a later poll()/call()/close() on this thread.
  // timeout 0 uses the spec's request_timeout (0 there too: no deadline). Returns the request id.
  // While half of max_in_flight or more is in flight the request may be held to go out with
  // others (at 32 held, or at the next poll/call/wait_all/close): the pipeline has work then.
  // A caller that submits that deep and then does long work of its own should poll() first.
  std::string submit(Request request, ResponseCallback done, Duration timeout = Duration::zero());

  // Processes replies, deadlines and pea health, waiting up to max_wait for something to do;
  // returns the number of requests that ended.
  std::size_t poll(Duration max_wait);

  // submit + poll until that request ends.
  Response call(Request request, Duration timeout = Duration::zero());

  // Polls until nothing is in flight.
  void wait_all();

  // Drains in-flight requests (up to close_timeout, then ends them with status closed), stops
  // every pea, reaps every process. Idempotent; never hangs.
  void close();

  // Readable when poll() has work (AsyncFlow::native_handle): lets a caller wait on it together
  // with its own fds (`jflow run` waits on it and on a pipe it reads input from).
  int native_handle() const;
  std::size_t in_flight() const;
  std::vector<PeaStatus> status() const;
  std::vector<PodHealth> health() const;  // one per pod, in the flow's order
  // See AsyncFlow::close_problems(): empty after a clean close.
  const std::vector<std::string>& close_problems() const;
  const FlowSpec& spec() const;
  // A snapshot of the flow's metrics (jflow/metrics.hpp). Unlike the calls above, any thread
  // may take one while the flow runs (an HTTP handler serving /metrics, say).
  FlowMetrics metrics() const;

  // ---- Client calls ----
  // index, search, train, index_lines, search_lines, index_ndarray, search_ndarray, index_files
  // (jflow/client_calls.hpp) are this send() with a request type and a document source. It
  // returns once every request has ended; the callbacks run on this thread during the call. It
  // returns the responses in the order they ended, unless a callback (on_done, on_error or
  // on_always) was given: then the callbacks get them and the result is empty, so a long input is
  // not kept in memory.
  // The general form: any request type, any document source.
  std::vector<Response> send(RequestType type, DocumentSource source, RequestOptions options = {});

 private:
  std::unique_ptr<AsyncFlow> async_;
};

}  // namespace jflow
