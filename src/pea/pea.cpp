#include "pea/pea.hpp"

#include <map>
#include <optional>
#include <utility>
#include <vector>

#include <zmq_addon.hpp>

#include "base/clock.hpp"
#include "base/text.hpp"
#include "control/control.hpp"
#include "control/control_channel.hpp"
#include "control/credit.hpp"
#include "jflow/executor.hpp"
#include "jflow/log.hpp"
#include "jflow/message.hpp"
#include "jflow/plugin.hpp"
#include "net/curve_link.hpp"
#include "net/endpoint.hpp"
#include "net/watched_socket.hpp"
#include "pea/deferred_queue.hpp"
#include "pea/join_table.hpp"
#include "pea/pea_outputs.hpp"
#include "pea/precise_timer.hpp"
#include "pea/replica_dispatcher.hpp"
#include "pea/workspace_lock.hpp"
#include "wire/receive_frames.hpp"

namespace jflow {
namespace {

// How long a pea waits for the orchestrator to configure and wire it before giving up.
constexpr auto kHandshakeTimeout = std::chrono::seconds(60);
// Messages read from the input per wake-up before control and timers get a turn: draining in
// batches is ~2x faster than polling before every message (DESIGN.md), and bounding the batch
// keeps heartbeats and deferred requests on time under load.
constexpr int kBatch = 256;

using Chain = std::vector<std::unique_ptr<Driver>>;

}  // namespace

class Pea::Loop {
 public:
  Loop(zmq::context_t& context, std::string control_endpoint, std::string name,
       const DriverRegistry& registry, std::optional<CurveKeyPair> control_curve)
      : context_(context),
        control_endpoint_(std::move(control_endpoint)),
        registry_(registry),
        control_curve_(std::move(control_curve)),
        control_(context, zmq::socket_type::dealer),
        outputs_(context) {
    config_.pea = std::move(name);
  }

  int run() {
    // Whatever this thread logs from here on — the pea, its drivers, its executor — names it.
    const LogSource source(config_.pea);
    control_.set(zmq::sockopt::routing_id, config_.pea);
    control_.set(zmq::sockopt::reconnect_ivl, 10);
    control_.set(zmq::sockopt::linger, 1000);  // let `bye` and late reports reach the orchestrator
    secure_connecting_side(control_, control_curve_);
    control_.connect(control_endpoint_);
    send(make(control::kHello));
    if (!configure()) return 1;
    if (!wire()) return 1;
    serve();
    ControlMessage bye = make(control::kBye);
    if (std::string problem = close_executor(); !problem.empty()) bye.fields["error"] = problem;
    send(bye);
    return 0;
  }

 private:
  ControlMessage make(const char* command) const {
    ControlMessage message;
    message.command = command;
    message.pea = config_.pea;
    return message;
  }
  void send(const ControlMessage& message) {
    send_control(control_, message);
    if (control_watch_) control_watch_->touched();
  }

  void send_failed(const std::string& why) {
    ControlMessage failed = make(control::kFailed);
    failed.fields["message"] = why;
    send(failed);
  }

  // Waits for one control command during the handshake; nullopt on timeout or terminate.
  std::optional<ControlMessage> await_command(const char* command) {
    SteadyTime give_up = steady_now() + kHandshakeTimeout;
    while (steady_now() < give_up) {
      zmq::pollitem_t item{control_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(poll_timeout_ms(give_up, 1000)));
      while (auto message = receive_control()) {
        if (message->command == command) return message;
        if (message->command == control::kTerminate) return std::nullopt;
      }
    }
    log(LogLevel::error, "no '" + std::string(command) + "' from the orchestrator at " +
                             control_endpoint_ + " within " +
                             std::to_string(kHandshakeTimeout.count()) + "s; exiting");
    return std::nullopt;
  }

  // The next control message, or nullopt when none waits (or one could not be decoded).
  std::optional<ControlMessage> receive_control() {
    try {
      std::optional<ControlMessage> message = try_recv_control(control_, false);
      if (!message && control_watch_) control_watch_->drained();
      return message;
    } catch (const DecodeError& e) {
      log(LogLevel::warn, std::string("bad control message: ") + e.what());
      if (control_watch_) control_watch_->touched();  // more may wait behind it
      return std::nullopt;
    }
  }

  std::string unique_name(const char* what) const {
    return "jflow-" + config_.flow_id + "-" + config_.pea + "-" + what;
  }

  bool configure() {
    auto message = await_command(control::kConfigure);
    if (!message) return false;
    try {
      std::string name = config_.pea;
      config_ = read_configure(*message);
      config_.pea = name;
      for (const std::filesystem::path& plugin : config_.plugins) load_plugin(plugin);
      if (config_.executor) executor_ = create_executor(*config_.executor);
      for (const auto& [type, specs] : config_.drivers.by_type) {
        Chain& chain = chains_[type];
        for (const DriverSpec& spec : specs) {
          chain.push_back(registry_.create(spec.kind, YAML::Load(spec.options_yaml)));
          chain.back()->attach(executor_.get());
        }
      }
      if (executor_) open_executor();
      if (!config_.join_from.empty()) {
        // Sent only to a polling-all tail whose pod asks for flagged partial results.
        const bool flag_lost = text_field(*message, "partial_results") == "flag";
        joins_.emplace(config_.pod, config_.join_from, config_.join_timeout, flag_lost);
      }
      ControlMessage ready = make(control::kReady);
      if (config_.role == PeaRole::replica) {
        input_.emplace(context_, zmq::socket_type::dealer);  // connects to its head on wire
        input_->set(zmq::sockopt::routing_id, config_.pea);
        secure_connecting_side(*input_, config_.curve);
      } else {
        input_.emplace(context_, zmq::socket_type::pull);
        set_common_options(*input_);
        secure_binding_side(*input_, config_.curve);
        ready.endpoints.push_back(bind_as_told(*message, "bind_in", *input_, unique_name("in")));
      }
      set_common_options(*input_);
      if (config_.role == PeaRole::head) {
        dispatcher_.emplace(context_, config_.pod, config_.polling, config_.scheduling,
                            config_.replicas, outputs_);
        secure_binding_side(dispatcher_->socket(), config_.curve);
        ready.endpoints.push_back(
            bind_as_told(*message, "bind_router", dispatcher_->socket(), unique_name("router")));
      }
      send(ready);
      log(LogLevel::debug, "configured: " + std::string(pea_role_name(config_.role)) + " of pod '" +
                               config_.pod + "'");
      return true;
    } catch (const std::exception& e) {
      send_failed(e.what());
      return false;
    }
  }

  // A first start binds any free endpoint; a restarted pea binds the one its predecessor had
  // (the orchestrator sends it in `field`), so peers connected to it reconnect by themselves.
  // When that one cannot be bound — the pod came back at another address (Kubernetes gives a
  // recreated pod a new IP), or another process took the port — it binds a free one as a first
  // start does; the orchestrator then tells its neighbours to connect there (`rewire`).
  std::string bind_as_told(const ControlMessage& message, const char* field, zmq::socket_t& socket,
                           const std::string& inproc_name) {
    const std::string endpoint = text_field(message, field);
    if (!endpoint.empty()) {
      try {
        socket.bind(endpoint);
        return endpoint;
      } catch (const zmq::error_t& e) {
        log(LogLevel::info, "cannot bind its old endpoint " + endpoint + " again (" +
                                std::string(e.what()) + "); binds a new one");
      }
    }
    return bind_any(socket, config_.transport, config_.host, inproc_name);
  }

  std::unique_ptr<Executor> create_executor(const ExecutorSpec& spec) const {
    ExecutorMetas metas;
    metas.name = spec.name.empty() ? config_.pod : spec.name;
    metas.workspace = spec.workspace;
    metas.replica_id = config_.replica;
    metas.parallel = config_.parallel;
    return registered_executors().create(spec.kind, YAML::Load(spec.with_yaml), metas);
  }

  void open_executor() {
    try {
      if (executor_->metas().persistent()) {
        workspace_lock_.emplace(executor_->metas().replica_workspace());
      }
      executor_->open();
    } catch (const std::exception& e) {
      throw std::runtime_error("executor " + std::string(executor_->kind()) +
                               " could not open: " + e.what());
    }
  }

  // After the last request: the executor persists its state. A failure cannot fail a request any
  // more, so it goes to the orchestrator with `bye` (Flow::close_problems(); `jflow run` exits 1).
  // Returns the problem, or "".
  std::string close_executor() {
    if (!executor_) return "";
    std::string problem;
    try {
      executor_->close();
    } catch (const std::exception& e) {
      problem =
          "executor " + std::string(executor_->kind()) + " could not save its state: " + e.what();
    }
    executor_.reset();
    workspace_lock_.reset();  // after the state is saved
    return problem;
  }

  bool wire() {
    auto message = await_command(control::kWire);
    if (!message) return false;
    try {
      outputs_.connect(message->endpoints, config_.curve);
      if (config_.role == PeaRole::replica) {
        head_endpoint_ = text_field(*message, "head");
        input_->connect(head_endpoint_);
        // The replica's credit: how many requests its head may hand it before it reports done.
        zmq::send_multipart(*input_, credit::credit_message(config_.window));
      }
    } catch (const zmq::error_t& e) {
      send_failed(std::string("cannot connect: ") + e.what());
      return false;
    }
    if (dispatcher_ && !await_replicas()) return false;
    send(make(control::kWired));
    log(LogLevel::debug, "wired");
    return true;
  }

  // A head reports itself wired only once every replica has connected and given credit, so the
  // first requests after start are spread over all replicas, not only the quickest to connect.
  // (A replica that dies meanwhile fails the start: the orchestrator watches every pea.)
  bool await_replicas() {
    SteadyTime give_up = steady_now() + kHandshakeTimeout;
    while (true) {
      std::vector<std::string> missing = dispatcher_->unconnected();
      if (missing.empty()) return true;
      if (steady_now() >= give_up) {
        send_failed("replicas did not connect to the head within " +
                    std::to_string(kHandshakeTimeout.count()) + "s: " + join_text(missing, ", "));
        return false;
      }
      std::array<zmq::pollitem_t, 2> items{{{control_.handle(), 0, ZMQ_POLLIN, 0},
                                            {dispatcher_->socket().handle(), 0, ZMQ_POLLIN, 0}}};
      zmq::poll(items.data(), items.size(),
                std::chrono::milliseconds(poll_timeout_ms(give_up, 1000)));
      if (items[1].revents & ZMQ_POLLIN) dispatcher_->on_readable();
      while (auto message = receive_control()) {
        if (message->command == control::kTerminate) return false;
      }
    }
  }

  void serve() {
    control_watch_.emplace(control_);
    input_watch_.emplace(*input_);
    if (dispatcher_) replicas_watch_.emplace(dispatcher_->socket());
    SteadyTime next_heartbeat = steady_now();
    while (!terminating_) {
      // What drivers wait for (deferred requests, joins) wakes the loop through the precise
      // timer; the heartbeat's millisecond poll timeout is fine for itself.
      std::optional<SteadyTime> driver_wake = deferred_.next_due();
      if (joins_) {
        if (auto due = joins_->next_expiry(); due && (!driver_wake || *due < *driver_wake))
          driver_wake = due;
      }
      if (driver_wake && *driver_wake < next_heartbeat) timer_.arm(*driver_wake);
      const SteadyTime wake = next_heartbeat;
      bool can_read = !outputs_.blocked() && !(dispatcher_ && dispatcher_->saturated());
      // Sockets touched since their last drain are asked directly; the rest wait on their fds.
      const bool control_ready = control_watch_->ready_now();
      const bool input_ready = can_read && input_watch_->ready_now();
      const bool replicas_ready = replicas_watch_ && replicas_watch_->ready_now();
      std::vector<zmq::pollitem_t>& items = poll_items_;  // kept: no allocation per wake-up
      items.clear();
      items.push_back(control_watch_->poll_item(true));
      items.push_back(input_watch_->poll_item(can_read));
      if (replicas_watch_) items.push_back(replicas_watch_->poll_item(true));
      const std::size_t timer_item = items.size();
      if (timer_.armed()) items.push_back(timer_.poll_item());
      outputs_.add_poll_items(items);  // blocked outputs, as zmq socket items (POLLOUT)
      // Always poll, without waiting when work is known to wait: a pea kept busy by its input
      // must still see control (terminate, status, replica_lost) on every turn.
      const bool work_waiting = control_ready || input_ready || replicas_ready;
      zmq::poll(items.data(), items.size(),
                std::chrono::milliseconds(work_waiting ? 0 : poll_timeout_ms(wake, 1000)));
      const auto polled_in = [&items](std::size_t i) {
        return (items[i].revents & ZMQ_POLLIN) != 0;
      };
      if (timer_.armed() && polled_in(timer_item)) timer_.acknowledge();
      if (control_ready || polled_in(0)) handle_control();
      outputs_.flush();
      if (replicas_watch_ && (replicas_ready || polled_in(2))) dispatcher_->on_readable();
      if (input_ready || polled_in(1)) read_input();
      resume_deferred();
      if (joins_) {
        for (Message& expired : joins_->expire(steady_now())) after_join(std::move(expired));
      }
      if (steady_now() >= next_heartbeat) {
        send(heartbeat());
        next_heartbeat = steady_now() + config_.heartbeat_interval;
      }
      // A head sends on its ROUTER whenever it dispatches: ask it again before sleeping.
      if (replicas_watch_) replicas_watch_->touched();
    }
  }

  ControlMessage heartbeat() const {
    ControlMessage message = make(control::kHeartbeat);
    message.fields["handled"] = handled_;
    message.fields["errors"] = errors_;
    message.fields["waiting"] = static_cast<std::int64_t>(deferred_.size());
    message.fields["outbox"] = static_cast<std::int64_t>(outputs_.backlog());
    if (joins_) message.fields["joining"] = static_cast<std::int64_t>(joins_->waiting());
    if (dispatcher_) {
      message.fields["queued"] = static_cast<std::int64_t>(dispatcher_->waiting());
      for (const std::string& replica : config_.replicas) {
        message.fields["dispatched:" + replica] = dispatcher_->dispatched(replica);
        message.fields["credit:" + replica] = dispatcher_->credit(replica);
      }
    }
    // For the flow's metrics (jflow_pea_*_bytes_total, jflow_pea_in_flight_requests).
    message.fields["in_bytes"] = static_cast<std::int64_t>(received_bytes_);
    std::uint64_t sent = outputs_.sent_bytes();
    if (dispatcher_) sent += dispatcher_->sent_bytes();
    message.fields["out_bytes"] = static_cast<std::int64_t>(sent);
    message.fields["in_flight"] = static_cast<std::int64_t>(in_flight());
    return message;
  }

  // The requests this pea holds: deferred by a driver, waiting for their other parts, in an
  // outbox (one per blocked output), and for a head those waiting for a replica's credit and
  // those its replicas hold.
  std::size_t in_flight() const {
    std::size_t held = deferred_.size() + outputs_.backlog();
    if (joins_) held += joins_->waiting();
    if (dispatcher_) held += dispatcher_->waiting() + dispatcher_->held();
    return held;
  }

  void handle_control() {
    while (auto message = receive_control()) {
      if (message->command == control::kTerminate) {
        terminating_ = true;
      } else if (message->command == control::kStatus) {
        ControlMessage status = heartbeat();
        status.command = control::kStatus;
        send(status);
      } else if (message->command == control::kReplicaLost && dispatcher_) {
        dispatcher_->replica_lost(text_field(*message, "replica"), text_field(*message, "reason"));
      } else if (message->command == control::kRewire) {
        rewire(text_field(*message, "from"), text_field(*message, "to"));
      } else if (message->command == control::kRejoin && config_.role == PeaRole::replica) {
        // The head was restarted under the same endpoint; the DEALER reconnects by itself, but
        // the new head knows nothing of this replica until it gives credit again. Requests held
        // from the old head still end (their replies go on to the tail); their `done` reports
        // are unknown to the new head, which ignores them.
        zmq::send_multipart(*input_, credit::credit_message(config_.window));
        input_watch_->touched();
      }
    }
  }

  // A neighbour was restarted at another endpoint (it could not bind its old one: a new pod
  // address, a port taken): what is connected to the old one connects to the new one instead.
  // A replica's new head learns of it from the `rejoin` that follows.
  void rewire(const std::string& from, const std::string& to) {
    if (from.empty() || to.empty()) {
      log(LogLevel::warn, "a rewire without both 'from' and 'to' was ignored");
      return;
    }
    try {
      bool moved = outputs_.reconnect(from, to);
      if (config_.role == PeaRole::replica && head_endpoint_ == from) {
        input_->disconnect(from);
        input_->connect(to);
        head_endpoint_ = to;
        moved = true;
      }
      if (moved) log(LogLevel::info, "reconnected from " + from + " to " + to);
    } catch (const zmq::error_t& e) {
      log(LogLevel::error,
          "cannot reconnect from " + from + " to " + to + ": " + std::string(e.what()));
    }
  }

  void read_input() {
    for (int i = 0; i < kBatch; ++i) {
      std::vector<zmq::message_t>& frames = frames_;  // kept: no allocation per message
      if (!receive_frames(*input_, frames)) {
        input_watch_->drained();
        return;
      }
      for (const zmq::message_t& frame : frames) received_bytes_ += frame.size();
      accept(frames);
      if (outputs_.blocked() || (dispatcher_ && dispatcher_->saturated())) break;
    }
    input_watch_->touched();  // stopped with messages possibly still waiting
  }

  // A frame that cannot be attributed to a request cannot be answered; report it to the
  // orchestrator (which logs it) and carry on with the next message.
  void reject(const std::string& reason) {
    ++errors_;
    ControlMessage rejected = make(control::kRejected);
    rejected.fields["message"] = reason;
    send(rejected);
  }

  void accept(std::vector<zmq::message_t>& frames) {
    if (frames.size() != 2) {
      reject("expected 2 frames [envelope | body], got " + std::to_string(frames.size()));
      return;
    }
    std::optional<Message> message;
    try {
      Message::arrive_into(message, std::move(frames[0]), std::move(frames[1]));
    } catch (const DecodeError& e) {
      reject(e.what());
      return;
    }
    if (joins_) {
      std::optional<Message> joined = joins_->add(std::move(*message));
      if (joined) after_join(std::move(*joined));
      return;
    }
    after_join(std::move(*message));
  }

  // The request is whole (joined, or it never needed joining): record this pea on its route and
  // run it. An upstream error travels on to the caller untouched. (The message is passed on by
  // reference down to where it is kept or sent: each move of a Message costs ~170 instructions.)
  // The pea reads only the envelope's header: the routes stay undecoded unless a driver asks.
  void after_join(Message&& message) {
    message.add_route({config_.pod, config_.pea, unix_now_ns(), 0});
    if (!message.envelope_core().status.ok()) {
      emit(std::move(message));
      return;
    }
    run_chain(std::move(message), 0);
  }

  // Ends the request with an error, and says so in the log with the request's traceparent: the
  // line to find when a caller reports a failed request.
  void fail(Message& message, StatusCode code, const std::string& text, std::string_view driver) {
    ++errors_;
    const LogLevel level = code == StatusCode::timeout ? LogLevel::warn : LogLevel::error;
    if (log_enabled(level)) {
      const Envelope& envelope = std::as_const(message).envelope();
      log(level,
          "request " + envelope.request_id + " " + std::string(request_type_name(envelope.type)) +
              " failed" + (driver.empty() ? "" : " in " + std::string(driver)) + ": " + text,
          envelope.traceparent);
    }
    Status& status = message.envelope().status;
    status.code = code;
    status.message = text;
    status.pod = config_.pod;
    status.executor = std::string(driver);
  }

  void run_chain(Message&& message, std::size_t position) {
    const Envelope& envelope = message.envelope_core();
    std::int64_t deadline = envelope.deadline_ns;
    if (deadline != 0 && unix_now_ns() > deadline) {
      fail(message, StatusCode::timeout, "deadline passed before pod '" + config_.pod + "' ran it",
           "");
      emit(std::move(message));
      return;
    }
    auto chain = chains_.find(envelope.type);
    if (chain != chains_.end()) {
      // The replica (shard) index is the pea's configuration's: 0 for a lone pea, a head, a tail.
      const DriverContext context{config_.pod, config_.pea, config_.replica, config_.shards};
      for (std::size_t i = position; i < chain->second.size(); ++i) {
        Driver& driver = *chain->second[i];
        try {
          DriverResult result = driver.handle(message, context);
          if (result.deferred()) {
            deferred_.push(steady_now() + result.delay(), i + 1, std::move(message));
            return;
          }
        } catch (const DecodeError& e) {
          fail(message, StatusCode::bad_request, e.what(), driver.kind());
          break;
        } catch (const std::exception& e) {
          fail(message, StatusCode::error, e.what(), driver.kind());
          break;
        }
      }
    }
    ++handled_;
    emit(std::move(message));
  }

  void resume_deferred() {
    SteadyTime now = steady_now();
    while (auto request = deferred_.pop_due(now)) {
      run_chain(std::move(request->message), request->next_driver);
    }
  }

  // Sends the finished request on: a head hands it to its replicas; everyone else sends it to
  // each downstream pea, and a replica then tells its head it has room for one more.
  void emit(Message&& message) {
    message.last_route().end_ns = unix_now_ns();
    if (dispatcher_) {
      dispatcher_->dispatch(std::move(message));
      return;
    }
    zmq::message_t body;
    try {
      body = message.take_body();
    } catch (const std::exception& e) {
      fail(message, StatusCode::error, std::string("cannot encode body: ") + e.what(), "");
    }
    outputs_.send(message.envelope_to_send(), std::move(body));
    if (config_.role == PeaRole::replica) {
      zmq::send_multipart(*input_, credit::done_message(message.request_id()));
      input_watch_->touched();
    }
  }

  zmq::context_t& context_;
  std::string control_endpoint_;
  const DriverRegistry& registry_;
  std::optional<CurveKeyPair> control_curve_;
  PeaConfig config_;
  zmq::socket_t control_;
  std::optional<zmq::socket_t> input_;  // PULL, or a replica's DEALER to its head
  std::string head_endpoint_;           // a replica's: the router of its head it connects to
  PeaOutputs outputs_;
  std::optional<ReplicaDispatcher> dispatcher_;  // head only
  std::optional<JoinTable> joins_;               // peas that join parts
  std::optional<WorkspaceLock> workspace_lock_;  // before executor_: released after it is gone
  std::unique_ptr<Executor> executor_;  // declared before the chains: drivers point into it
  std::map<RequestType, Chain> chains_;
  DeferredQueue deferred_;
  PreciseTimer timer_;  // wakes the loop when the earliest deferred request or join is due
  // Buffers reused on every request, so that forwarding one allocates as little as possible.
  std::vector<zmq::pollitem_t> poll_items_;
  // The sockets the serve loop reads, watched through their fds (see watched_socket.hpp).
  std::optional<WatchedSocket> control_watch_;
  std::optional<WatchedSocket> input_watch_;
  std::optional<WatchedSocket> replicas_watch_;
  std::vector<zmq::message_t> frames_;
  std::int64_t handled_ = 0;
  std::int64_t errors_ = 0;
  std::uint64_t received_bytes_ = 0;  // request frames read from the input, since the pea started
  bool terminating_ = false;
};

Pea::Pea(zmq::context_t& context, std::string control_endpoint, std::string name,
         const DriverRegistry& registry, std::optional<CurveKeyPair> control_curve)
    : loop_(std::make_unique<Loop>(context, std::move(control_endpoint), std::move(name), registry,
                                   std::move(control_curve))) {}

Pea::~Pea() = default;

int Pea::run() {
  return loop_->run();
}

}  // namespace jflow
