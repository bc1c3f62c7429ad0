// Client: a DEALER socket to a served flow, request ids of its own, a deadline per request.
#include "jflow/client.hpp"

#include "net/curve_link.hpp"

#include <algorithm>
#include <deque>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <zmq.hpp>

#include "base/clock.hpp"
#include "jflow/codec.hpp"
#include "jflow/duration.hpp"
#include "wire/frame.hpp"

namespace jflow {

namespace {

// The client gives the server's own timeout reply (which names the pod) a moment to arrive
// before it ends the request itself.
constexpr Duration kReplyGrace = std::chrono::milliseconds(50);

Response client_error(std::string id, RequestType type, StatusCode code, std::string message) {
  Response response;
  response.envelope.request_id = std::move(id);
  response.envelope.type = type;
  response.envelope.status = {code, std::move(message), "client", ""};
  return response;
}

std::int64_t int_parameter(const ValueMap& parameters, std::string_view key) {
  auto it = parameters.find(key);
  if (it == parameters.end()) return 0;
  if (const auto* value = std::get_if<std::int64_t>(&it->second)) return *value;
  return 0;
}

}  // namespace

struct Client::Impl {
  struct Pending {
    ResponseCallback done;
    RequestType type;
    SteadyTime deadline;
    Duration timeout;
    SteadyTime sent;
  };

  std::string endpoint;
  ClientOptions options;
  zmq::context_t context{1};
  zmq::socket_t socket{context, zmq::socket_type::dealer};
  std::uint64_t next_id = 1;
  std::unordered_map<std::string, Pending> pending;
  SteadyTime last_heard{};  // when the server last sent anything
  // A request timed out with nothing at all heard from the server since it was sent: the server
  // is gone (or unreachable), and send() stops instead of waiting out one window after another.
  bool server_silent = false;

  Impl(std::string where, ClientOptions opts) : endpoint(std::move(where)), options(opts) {
    socket.set(zmq::sockopt::linger, 0);
    socket.set(zmq::sockopt::sndhwm, 0);  // in flight is bounded by the caller's window
    socket.set(zmq::sockopt::rcvhwm, 0);
    socket.set(zmq::sockopt::reconnect_ivl, 20);
    if (options.curve_key) make_curve_client(socket, *options.curve_key, options.server_key);
    socket.connect(endpoint);
  }

  std::string send_frames(RequestType type, const Request& request, Duration timeout) {
    std::string id = std::to_string(next_id++);
    Envelope envelope;
    envelope.request_id = id;
    envelope.type = type;
    envelope.deadline_ns = unix_now_ns() + timeout.count();
    envelope.traceparent = request.traceparent;  // empty: the server's flow makes one
    std::string head = encode_envelope(envelope);
    zmq::message_t body = frame_from(encode_body(request));
    socket.send(zmq::message_t(head.data(), head.size()), zmq::send_flags::sndmore);
    socket.send(std::move(body), zmq::send_flags::none);
    return id;
  }

  // Reads one message waiting on the socket: nullopt when there was none, else whether a
  // request ended with it.
  std::optional<bool> receive_one() {
    zmq::message_t head, body;
    if (!socket.recv(head, zmq::recv_flags::dontwait)) return std::nullopt;
    last_heard = steady_now();
    bool has_body = head.more() && socket.recv(body, zmq::recv_flags::none).has_value();
    while (body.more()) {  // a reply never has more frames; drain whatever a peer sent
      zmq::message_t skip;
      if (!socket.recv(skip, zmq::recv_flags::none) || !skip.more()) break;
    }
    Envelope envelope;
    try {
      envelope = decode_envelope(head.to_string_view());
    } catch (const DecodeError&) {
      return false;  // not a reply to anything we can name; the request's deadline ends it
    }
    auto it = pending.find(envelope.request_id);
    if (it == pending.end()) return false;  // late reply to a request that already timed out
    Pending entry = std::move(it->second);
    pending.erase(it);
    Response response;
    response.envelope = std::move(envelope);
    response.envelope.type = entry.type;
    if (!has_body) {
      response.envelope.status = {StatusCode::bad_request, "reply without a body frame", "client",
                                  ""};
    } else {
      try {
        response.request = decode_body(body.to_string_view());
        response.request.type = entry.type;
      } catch (const DecodeError& e) {
        response.envelope.status = {StatusCode::bad_request, e.what(), "client", ""};
      }
    }
    if (entry.done) entry.done(std::move(response));
    return true;
  }

  std::size_t expire() {
    const SteadyTime now = steady_now();
    std::vector<std::pair<std::string, Pending>> overdue;
    for (auto it = pending.begin(); it != pending.end();) {
      if (it->second.deadline <= now) {
        overdue.emplace_back(it->first, std::move(it->second));
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
    for (auto& [id, entry] : overdue) {
      const bool silent = entry.sent >= last_heard;
      server_silent = server_silent || silent;
      if (entry.done)
        entry.done(client_error(
            id, entry.type, StatusCode::timeout,
            "no reply from " + endpoint + " within " + format_duration(entry.timeout) +
                (silent ? ", and nothing at all from it since the request was sent: the server "
                          "looks gone"
                        : "")));
    }
    return overdue.size();
  }

  std::size_t poll(Duration max_wait) {
    SteadyTime until = steady_now() + max_wait;
    for (const auto& [id, entry] : pending) until = std::min(until, entry.deadline);
    std::size_t ended = 0, read = 0;
    const auto drain = [&] {
      while (std::optional<bool> got = receive_one()) {
        ++read;
        ended += *got ? 1 : 0;
      }
    };
    drain();
    if (read == 0) {
      zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, std::chrono::milliseconds(poll_timeout_ms(until, 1000000)));
      drain();
    }
    return ended + expire();
  }

  // Ends every request in flight at once: the server has been silent for a whole timeout.
  void end_all_silent(const Duration timeout) {
    std::unordered_map<std::string, Pending> left;
    left.swap(pending);
    for (auto& [id, entry] : left) {
      if (entry.done)
        entry.done(client_error(id, entry.type, StatusCode::timeout,
                                "nothing from " + endpoint + " within " + format_duration(timeout) +
                                    ": the server looks gone"));
    }
  }
};

Client::Client(std::string endpoint, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(endpoint), options)) {}
Client::~Client() = default;

const std::string& Client::endpoint() const {
  return impl_->endpoint;
}

std::string Client::submit(Request request, ResponseCallback done, Duration timeout) {
  if (timeout <= Duration::zero()) timeout = impl_->options.timeout;
  std::string id = impl_->send_frames(request.type, request, timeout);
  const SteadyTime now = steady_now();
  impl_->pending.emplace(
      id, Impl::Pending{std::move(done), request.type, now + timeout + kReplyGrace, timeout, now});
  return id;
}

std::size_t Client::poll(Duration max_wait) {
  return impl_->poll(max_wait);
}

void Client::wait_all() {
  while (!impl_->pending.empty()) impl_->poll(std::chrono::seconds(1));
}

std::size_t Client::in_flight() const {
  return impl_->pending.size();
}

Response Client::call(Request request, Duration timeout) {
  std::optional<Response> result;
  submit(
      std::move(request), [&](Response&& r) { result = std::move(r); }, timeout);
  while (!result) impl_->poll(std::chrono::seconds(1));
  return std::move(*result);
}

std::vector<Response> Client::index(std::vector<Document> docs, RequestOptions options) {
  return send(RequestType::index, documents_of(std::move(docs)), std::move(options));
}

std::vector<Response> Client::search(std::vector<Document> docs, RequestOptions options) {
  return send(RequestType::search, documents_of(std::move(docs)), std::move(options));
}

std::vector<Response> Client::send(RequestType type, DocumentSource source,
                                   RequestOptions options) {
  if (options.request_size == 0) throw std::invalid_argument("request_size must be > 0");
  impl_->server_silent = false;
  const std::size_t window = options.prefetch > 0 ? options.prefetch : impl_->options.window;
  const bool collect = !options.on_done && !options.on_error && !options.on_always;
  std::vector<Response> responses;
  std::size_t mine = 0;
  auto done = [&](Response&& response) {
    --mine;
    if (collect) {
      responses.push_back(std::move(response));
      return;
    }
    if (response.ok() && options.on_done) options.on_done(response);
    if (!response.ok() && options.on_error) options.on_error(response);
    if (options.on_always) options.on_always(response);
  };
  bool more = true;
  while (more || mine > 0) {
    while (more && mine < window) {
      Request request{type, {}, options.parameters, {}};
      try {
        while (request.docs.size() < options.request_size) {
          std::optional<Document> doc = source();
          if (!doc) {
            more = false;
            break;
          }
          request.docs.push_back(std::move(*doc));
        }
      } catch (const std::exception& e) {
        more = false;
        ++mine;
        done(client_error("", type, StatusCode::bad_request,
                          std::string("cannot read documents: ") + e.what()));
        request.docs.clear();
      }
      if (request.docs.empty()) break;
      ++mine;
      submit(std::move(request), done, options.timeout);
    }
    if (mine > 0) impl_->poll(std::chrono::seconds(1));
    if (impl_->server_silent) {
      // One timeout with no word from the server ends the whole send, not a window at a time.
      more = false;
      impl_->end_all_silent(options.timeout > Duration::zero() ? options.timeout
                                                               : impl_->options.timeout);
    }
  }
  if (options.on_finished) options.on_finished();
  return responses;
}

PingResult Client::ping(Duration timeout) {
  PingResult result;
  Request request{RequestType::control, {}, {{"command", std::string("ping")}}, {}};
  const SteadyTime sent = steady_now();
  Response reply = call(std::move(request), timeout);
  result.latency = steady_now() - sent;
  if (!reply.ok()) {
    result.error = reply.status().message;
    if (!reply.status().pod.empty() && reply.status().pod != "client")
      result.error = reply.status().pod + ": " + result.error;
    return result;
  }
  const ValueMap& fields = reply.request.parameters;
  auto state = fields.find("state");
  if (state != fields.end()) {
    if (const auto* text = std::get_if<std::string>(&state->second)) result.state = *text;
  }
  result.pods = int_parameter(fields, "pods");
  result.peas = int_parameter(fields, "peas");
  result.peas_alive = int_parameter(fields, "peas_alive");
  result.in_flight = int_parameter(fields, "in_flight");
  result.served = int_parameter(fields, "served");
  // A server that predates readiness does not say: it is taken at its word that it runs.
  if (fields.count("ready")) result.ready = int_parameter(fields, "ready") != 0;
  if (auto why = fields.find("not_ready"); why != fields.end()) {
    if (const auto* text = std::get_if<std::string>(&why->second)) result.not_ready = *text;
  }
  result.ok = true;
  return result;
}

}  // namespace jflow
