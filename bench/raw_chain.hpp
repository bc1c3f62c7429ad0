// RawChain: the baseline bench_chain holds a flow against — the same number of hops, each its own
// process, joined by plain libzmq PUSH/PULL over tcp on 127.0.0.1, carrying the same two frames
// per message (envelope | body). A hop moves frames from its PULL to its PUSH without looking at
// them; that is the least any pass-through pea can do, so flow ÷ raw is jflow's overhead.
//
//   zmq::context_t context;
//   RawChain chain(context, 3, "/proc/self/exe");  // spawns `bench_chain --raw-hop …` three times
//   Measurement m = chain.run(envelope_bytes, body_bytes, 10000, 64);
//   chain.stop();                                  // end-of-stream through every hop, then reap
//
// Every hop is reaped on every path: stop() proves delivery with an end-of-stream marker that each
// hop forwards before exiting; the destructor SIGKILLs and reaps whatever is still running; and
// each hop asks the kernel to kill it if the bench process dies first.
// Thread-safety: one thread at a time (the sockets are not shared).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

#include <zmq.hpp>

#include "measurement.hpp"

namespace jflow::bench {

// The argument that turns bench_chain into a hop: `bench_chain --raw-hop OUT_ENDPOINT`.
inline constexpr std::string_view kRawHopFlag = "--raw-hop";

// Entry point of a hop process: binds a PULL on tcp://127.0.0.1:*, writes the bound endpoint as
// one line on stdout, forwards every frame to OUT_ENDPOINT until it forwards end-of-stream.
int run_raw_hop(const std::string& out_endpoint);

class RawChain {
 public:
  // Spawns `hops` hop processes from `executable` (this binary) and wires them into a chain that
  // starts and ends in this process. Throws std::runtime_error if a hop does not come up.
  RawChain(zmq::context_t& context, std::size_t hops, const std::filesystem::path& executable);
  ~RawChain();  // kills and reaps any hop still running
  RawChain(const RawChain&) = delete;
  RawChain& operator=(const RawChain&) = delete;

  // Sends `requests` messages [envelope | body] keeping at most `window` in flight, and times
  // each round trip. Throws std::runtime_error if the chain loses, reorders or stalls a message.
  Measurement run(std::string_view envelope, std::string_view body, std::size_t requests,
                  std::size_t window);

  // Sends end-of-stream through the chain, waits for it to come back, and reaps every hop.
  // Throws std::runtime_error (after killing and reaping) if a hop misbehaves.
  void stop();

  std::vector<pid_t> pids() const;

 private:
  struct Hop {
    pid_t pid = 0;
    std::string endpoint;  // its bound PULL
  };
  Hop spawn_hop(const std::filesystem::path& executable, const std::string& out_endpoint);
  void kill_all() noexcept;

  zmq::socket_t push_;  // into hop 1
  zmq::socket_t pull_;  // out of the last hop
  std::vector<Hop> hops_;
};

}  // namespace jflow::bench
