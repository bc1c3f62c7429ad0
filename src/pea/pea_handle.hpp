// PeaHandle: the orchestrator's grip on one launched pea, whatever its runtime — a thread in this
// process (sharing the zmq context, so inproc works) or a `jflow pea` child process.
// It answers "has it ended, and how?" without blocking, which is how a dead pea is noticed.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "control/pea_end.hpp"
#include "jflow/driver.hpp"
#include "jflow/duration.hpp"
#include "jflow/log.hpp"

namespace jflow {

class PeaHandle {
 public:
  virtual ~PeaHandle() = default;
  // nullopt while running; afterwards how it ended.
  virtual std::optional<PeaEnd> ended() = 0;
  // Forces an end: SIGKILL for a process. A thread cannot be killed; it ends when told terminate.
  virtual void kill() = 0;
  // Reaps what is left (joins the thread, waits for the process).
  virtual void reap() = 0;
  virtual int pid() const { return 0; }
  // The daemon's "ADDR:PORT" for a pea on another host; empty for a pea of this machine.
  virtual std::string host() const { return {}; }
  virtual const char* runtime() const = 0;
};

std::unique_ptr<PeaHandle> start_thread_pea(zmq::context_t& context, std::string control_endpoint,
                                            std::string name, const DriverRegistry& drivers);

// Starts `executable pea --control ENDPOINT --name NAME --log-level L --log-format F`. The child
// is killed if this process dies (PR_SET_PDEATHSIG), so no pea outlives its orchestrator.
// `extra_env` ("KEY=VALUE") is added to the child's environment (the flow's CURVE session travels
// there). `output_fd`, when not -1, becomes the child's stdout and stderr (a daemon forwards what
// its peas print). `log`: how the pea logs (jflow/log.hpp); nullopt: as this process does.
std::unique_ptr<PeaHandle> start_process_pea(const std::filesystem::path& executable,
                                             std::string control_endpoint, std::string name,
                                             const std::vector<std::string>& extra_env = {},
                                             int output_fd = -1,
                                             std::optional<LogSettings> log = std::nullopt);

// Where the `jflow` binary is: $JFLOW_EXECUTABLE, `jflow` beside this executable, the build tree's
// binary, or `jflow` on PATH.
std::filesystem::path find_jflow_executable();

}  // namespace jflow
