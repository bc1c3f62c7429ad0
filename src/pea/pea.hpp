// Pea: one replica of a pod — a single thread running a poll loop over its control socket, its
// data-in (PULL, bound on port 0 / a wildcard) and data-out (PUSH, connected downstream) sockets,
// and a queue of deferred requests. Each request runs through the driver chain for its type.
//
// A pea knows only its name and the orchestrator's control endpoint at birth; its configuration
// arrives over the control protocol (jflow/control.hpp), so a thread pea and a process pea
// (`jflow pea --control EP --name NAME`) run exactly the same code.
//
// Failures stay inside the request: a driver exception or an undecodable body becomes an error
// status in the envelope (naming pod and driver) and the request still goes downstream, so the
// caller gets an answer and the pea serves the next request.
//
// Thread-safety: run() takes over the calling thread until the orchestrator says terminate.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "jflow/curve_keys.hpp"
#include "jflow/driver.hpp"

namespace jflow {

class Pea {
 public:
  // `control_curve`: the flow's CURVE session for the control link, when the flow has one and
  // the link is tcp (a process pea takes it from its environment; jflow/curve_link.hpp).
  Pea(zmq::context_t& context, std::string control_endpoint, std::string name,
      const DriverRegistry& registry = registered_drivers(),
      std::optional<CurveKeyPair> control_curve = std::nullopt);
  ~Pea();
  Pea(const Pea&) = delete;
  Pea& operator=(const Pea&) = delete;

  // Runs until terminated. Returns 0 after a clean terminate, 1 when configuration failed or the
  // orchestrator went silent before configuring this pea.
  int run();

 private:
  class Loop;
  std::unique_ptr<Loop> loop_;
};

}  // namespace jflow
