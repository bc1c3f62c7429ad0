#include "jflow/pea.hpp"

#include <array>
#include <deque>
#include <iostream>
#include <map>
#include <vector>

#include <zmq_addon.hpp>

#include "jflow/clock.hpp"
#include "jflow/control.hpp"
#include "jflow/control_channel.hpp"
#include "jflow/deferred_queue.hpp"
#include "jflow/endpoint.hpp"
#include "jflow/message.hpp"

namespace jflow {
namespace {

// How long a pea waits for the orchestrator to configure and wire it before giving up.
constexpr auto kHandshakeTimeout = std::chrono::seconds(60);
// Messages read from data-in per wake-up before control and timers get a turn: draining in
// batches is ~2x faster than polling before every message (DESIGN.md), and bounding the batch
// keeps heartbeats and deferred requests on time under load.
constexpr int kBatch = 256;

using Chain = std::vector<std::unique_ptr<Driver>>;

}  // namespace

class Pea::Loop {
 public:
  Loop(zmq::context_t& context, std::string control_endpoint, std::string name,
       const DriverRegistry& registry)
      : control_endpoint_(std::move(control_endpoint)),
        registry_(registry),
        control_(context, zmq::socket_type::dealer),
        data_in_(context, zmq::socket_type::pull),
        data_out_(context, zmq::socket_type::push) {
    config_.pea = std::move(name);
  }

  int run() {
    control_.set(zmq::sockopt::routing_id, config_.pea);
    control_.set(zmq::sockopt::reconnect_ivl, 10);
    control_.set(zmq::sockopt::linger, 1000);  // let `bye` and late reports reach the orchestrator
    control_.connect(control_endpoint_);
    send(make(control::kHello));
    if (!configure()) return 1;
    if (!wire()) return 1;
    serve();
    send(make(control::kBye));
    return 0;
  }

 private:
  ControlMessage make(const char* command) const {
    ControlMessage message;
    message.command = command;
    message.pea = config_.pea;
    return message;
  }
  void send(const ControlMessage& message) { send_control(control_, message); }

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
    std::cerr << "pea " << config_.pea << ": no '" << command << "' from the orchestrator at "
              << control_endpoint_ << " within " << kHandshakeTimeout.count() << "s; exiting\n";
    return std::nullopt;
  }

  std::optional<ControlMessage> receive_control() {
    try {
      return try_recv_control(control_, false);
    } catch (const DecodeError& e) {
      std::cerr << "pea " << config_.pea << ": bad control message: " << e.what() << "\n";
      return std::nullopt;
    }
  }

  bool configure() {
    auto message = await_command(control::kConfigure);
    if (!message) return false;
    try {
      std::string name = config_.pea;
      config_ = read_configure(*message);
      config_.pea = name;
      for (const auto& [type, specs] : config_.drivers.by_type) {
        Chain& chain = chains_[type];
        for (const DriverSpec& spec : specs) {
          chain.push_back(registry_.create(spec.kind, YAML::Load(spec.options_yaml)));
        }
      }
      set_common_options(data_in_);
      set_common_options(data_out_);
      std::string in = bind_any(data_in_, config_.transport, config_.host,
                                "jflow-" + config_.flow_id + "-" + config_.pea + "-in");
      ControlMessage ready = make(control::kReady);
      ready.endpoints.push_back(in);
      send(ready);
      return true;
    } catch (const std::exception& e) {
      ControlMessage failed = make(control::kFailed);
      failed.fields["message"] = std::string(e.what());
      send(failed);
      return false;
    }
  }

  bool wire() {
    auto message = await_command(control::kWire);
    if (!message) return false;
    try {
      for (const std::string& endpoint : message->endpoints) data_out_.connect(endpoint);
    } catch (const zmq::error_t& e) {
      ControlMessage failed = make(control::kFailed);
      failed.fields["message"] = std::string("cannot connect downstream: ") + e.what();
      send(failed);
      return false;
    }
    send(make(control::kWired));
    return true;
  }

  void serve() {
    SteadyTime next_heartbeat = steady_now();
    while (!terminating_) {
      SteadyTime wake = next_heartbeat;
      if (auto due = deferred_.next_due(); due && *due < wake) wake = *due;
      zmq::pollitem_t items[] = {
          {control_.handle(), 0, ZMQ_POLLIN, 0},
          // While sends are backed up, stop reading: back-pressure travels upstream.
          {data_in_.handle(), 0, static_cast<short>(outbox_.empty() ? ZMQ_POLLIN : 0), 0},
          {data_out_.handle(), 0, static_cast<short>(outbox_.empty() ? 0 : ZMQ_POLLOUT), 0},
      };
      zmq::poll(items, 3, std::chrono::milliseconds(poll_timeout_ms(wake, 1000)));
      handle_control();
      if (items[2].revents & ZMQ_POLLOUT) flush_outbox();
      if (items[1].revents & ZMQ_POLLIN) read_data();
      resume_deferred();
      if (steady_now() >= next_heartbeat) {
        send(heartbeat());
        next_heartbeat = steady_now() + config_.heartbeat_interval;
      }
    }
  }

  ControlMessage heartbeat() const {
    ControlMessage message = make(control::kHeartbeat);
    message.fields["handled"] = handled_;
    message.fields["errors"] = errors_;
    message.fields["waiting"] = static_cast<std::int64_t>(deferred_.size());
    message.fields["outbox"] = static_cast<std::int64_t>(outbox_.size());
    return message;
  }

  void handle_control() {
    while (auto message = receive_control()) {
      if (message->command == control::kTerminate) {
        terminating_ = true;
      } else if (message->command == control::kStatus) {
        ControlMessage status = heartbeat();
        status.command = control::kStatus;
        send(status);
      }
    }
  }

  void read_data() {
    for (int i = 0; i < kBatch; ++i) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(data_in_, std::back_inserter(frames), zmq::recv_flags::dontwait))
        return;
      accept(std::move(frames));
      if (!outbox_.empty()) return;
    }
  }

  // A frame that cannot be attributed to a request cannot be answered; report it to the
  // orchestrator (which logs it) and carry on with the next message.
  void reject(const std::string& reason) {
    ++errors_;
    ControlMessage rejected = make(control::kRejected);
    rejected.fields["message"] = reason;
    send(rejected);
  }

  void accept(std::vector<zmq::message_t> frames) {
    if (frames.size() != 2) {
      reject("expected 2 frames [envelope | body], got " + std::to_string(frames.size()));
      return;
    }
    Envelope envelope;
    try {
      envelope = decode_envelope(std::string_view(frames[0].data<char>(), frames[0].size()));
    } catch (const DecodeError& e) {
      reject(e.what());
      return;
    }
    envelope.routes.push_back({config_.pod, config_.pea, unix_now_ns(), 0});
    Message message(std::move(envelope), std::move(frames[1]));
    if (!message.envelope().status.ok()) {
      forward(std::move(message));  // an upstream error travels on to the caller untouched
      return;
    }
    run_chain(std::move(message), 0);
  }

  void fail(Message& message, StatusCode code, const std::string& text, std::string_view driver) {
    ++errors_;
    Status& status = message.envelope().status;
    status.code = code;
    status.message = text;
    status.pod = config_.pod;
    status.executor = std::string(driver);
  }

  void run_chain(Message message, std::size_t position) {
    std::int64_t deadline = message.envelope().deadline_ns;
    if (deadline != 0 && unix_now_ns() > deadline) {
      fail(message, StatusCode::timeout, "deadline passed before pod '" + config_.pod + "' ran it",
           "");
      forward(std::move(message));
      return;
    }
    auto chain = chains_.find(message.envelope().type);
    if (chain != chains_.end()) {
      DriverContext context{config_.pod, config_.pea};
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
    forward(std::move(message));
  }

  void resume_deferred() {
    SteadyTime now = steady_now();
    while (auto request = deferred_.pop_due(now)) {
      run_chain(std::move(request->message), request->next_driver);
    }
  }

  void forward(Message message) {
    message.envelope().routes.back().end_ns = unix_now_ns();
    zmq::message_t body;
    try {
      body = message.take_body();
    } catch (const std::exception& e) {
      fail(message, StatusCode::error, std::string("cannot encode body: ") + e.what(), "");
    }
    std::string envelope = encode_envelope(message.envelope());
    std::array<zmq::message_t, 2> frames{zmq::message_t(envelope.data(), envelope.size()),
                                         std::move(body)};
    if (outbox_.empty() && try_send(frames)) return;
    outbox_.push_back(std::move(frames));
  }

  bool try_send(std::array<zmq::message_t, 2>& frames) {
    // PUSH queues whole multipart messages atomically: if the first frame is accepted, the
    // second is too, so a would-block can only happen on the first.
    if (!data_out_.send(frames[0], zmq::send_flags::sndmore | zmq::send_flags::dontwait))
      return false;
    data_out_.send(frames[1], zmq::send_flags::none);
    return true;
  }

  void flush_outbox() {
    while (!outbox_.empty() && try_send(outbox_.front())) outbox_.pop_front();
  }

  std::string control_endpoint_;
  const DriverRegistry& registry_;
  PeaConfig config_;
  zmq::socket_t control_;
  zmq::socket_t data_in_;
  zmq::socket_t data_out_;
  std::map<RequestType, Chain> chains_;
  DeferredQueue deferred_;
  std::deque<std::array<zmq::message_t, 2>> outbox_;
  std::int64_t handled_ = 0;
  std::int64_t errors_ = 0;
  bool terminating_ = false;
};

Pea::Pea(zmq::context_t& context, std::string control_endpoint, std::string name,
         const DriverRegistry& registry)
    : loop_(std::make_unique<Loop>(context, std::move(control_endpoint), std::move(name),
                                   registry)) {}

Pea::~Pea() = default;

int Pea::run() {
  return loop_->run();
}

}  // namespace jflow
