// Client: talks to a flow that `jflow run FLOW.yml --serve` serves, over its ZeroMQ endpoint
// (docs/SERVING.md). One DEALER socket, the [envelope | body] frames of docs/PROTOCOL.md.
//
//   jflow::Client client("tcp://127.0.0.1:45678");
//   jflow::PingResult alive = client.ping();             // alive.ok, alive.latency
//   std::vector<jflow::Response> replies = client.search({{.text = "my shepherd"}});
//
// Requests carry ids made by this client ("1", "2", …); the server matches replies by its
// connection and that id, so many clients may use the same ids. Every request ends exactly once:
// with the flow's answer, or with an error status — the flow's own (naming pod and reason), or one
// the client sets itself (pod "client"): `timeout` when no reply came by the request's deadline,
// `bad_request` for input it cannot send. Nothing waits forever: a request without a timeout gets
// ClientOptions::timeout.
//
// Thread-safety: a Client belongs to one thread at a time (it owns a ZeroMQ socket).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jflow/curve_keys.hpp"
#include "jflow/document_source.hpp"
#include "jflow/duration.hpp"
#include "jflow/request_options.hpp"
#include "jflow/response.hpp"

namespace jflow {

struct ClientOptions {
  // Deadline per request when a call gives none (RequestOptions::timeout / submit's timeout).
  Duration timeout = std::chrono::seconds(10);
  // Requests in flight at once for index/search/send when RequestOptions::prefetch is 0.
  std::size_t window = 64;
  // CURVE, for a server started with --zmq-key: this client's key pair (its public key must be
  // in the server's --zmq-allow list) and the server's public key. Unset: plain tcp.
  std::optional<CurveKeyPair> curve_key;
  std::string server_key;
};

// What the server said to a ping (a control request it answers itself).
struct PingResult {
  bool ok = false;
  std::string error;      // why not ok: "no reply within 2s", a status message
  std::string state;      // "running" or "closing"
  std::int64_t pods = 0;  // pods in the served flow
  std::int64_t peas = 0;  // peas, and how many of them are alive
  std::int64_t peas_alive = 0;
  std::int64_t in_flight = 0;  // requests the server holds now
  std::int64_t served = 0;     // requests it has answered since it started
  // Whether the flow can serve (every pod has the peas it needs); why not, naming the pods.
  bool ready = true;
  std::string not_ready;
  Duration latency{};  // round trip, send to reply
};

class Client {
 public:
  explicit Client(std::string endpoint, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const std::string& endpoint() const;

  // Sends one request (its id is set by the client); `done` runs inside a later poll()/
  // wait_all()/call(). timeout zero: ClientOptions::timeout. Returns the request id.
  std::string submit(Request request, ResponseCallback done, Duration timeout = Duration::zero());
  // Receives replies and ends overdue requests, waiting up to max_wait for the first; returns the
  // number of requests that ended.
  std::size_t poll(Duration max_wait);
  void wait_all();  // polls until nothing is in flight
  std::size_t in_flight() const;

  Response call(Request request, Duration timeout = Duration::zero());

  // Like Flow's calls (jflow/request_options.hpp): documents become requests of
  // options.request_size, at most options.prefetch (else ClientOptions::window) in flight; returns
  // when every request has ended, with the responses in the order they ended — or, when a callback
  // is given, having passed them to the callbacks (the result is then empty).
  std::vector<Response> index(std::vector<Document> docs, RequestOptions options = {});
  std::vector<Response> search(std::vector<Document> docs, RequestOptions options = {});
  std::vector<Response> send(RequestType type, DocumentSource source, RequestOptions options = {});

  // A control request the server answers itself: its state and counters, and the round trip.
  // Never throws for an unreachable server: ok is false and error says why.
  PingResult ping(Duration timeout = std::chrono::seconds(2));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Reads a NumPy .npy file (format versions 1, 2 and 3; little-endian or byte-sized dtypes of
// jflow's list, C order). Throws std::runtime_error naming the file and what is wrong (bad magic,
// a header that does not parse, fortran_order, big-endian or unknown dtype, truncated data).
NdArray read_npy(const std::filesystem::path& file);
NdArray parse_npy(std::string_view bytes, const std::string& name = "npy");

}  // namespace jflow
