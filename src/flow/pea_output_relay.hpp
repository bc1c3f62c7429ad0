// PeaOutputRelay: what this machine's process peas print, into the orchestrator's log.
//
// Why: a process pea used to share the orchestrator's stdout and stderr, so what a plugin or an
// executor printed itself (printf, std::cerr, a crash message such as "terminate called …")
// reached a JSON log as a raw line, and on stdout mixed with `jflow run`'s results. Now each
// process pea's stdout and stderr are one pipe, and a thread of this class writes each line through
// the logger, as the orchestrator does for the lines a daemon forwards (base/log_line.hpp's
// forwarded_log_line): a line that already is a jflow log line as it is, anything else wrapped as
// an info line of that pea.
//
// A thread, not the flow's poll loop: a flow that its application leaves unpolled for a while
// must not stall its peas in write(2) on a full pipe.
// Thread-safety: open_pipe() may be called from any one thread (the flow's); the relay thread
// only reads the pipes.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "base/line_splitter.hpp"

namespace jflow::detail {

class PeaOutputRelay {
 public:
  PeaOutputRelay();
  // Relays what is left until every pipe has ended (its pea exited, so its write end is closed)
  // or kDrainLimit has passed — a grandchild a plugin started may keep a write end open.
  ~PeaOutputRelay();
  PeaOutputRelay(const PeaOutputRelay&) = delete;
  PeaOutputRelay& operator=(const PeaOutputRelay&) = delete;

  // A new pipe for the output of the pea named `pea`: returns its write end, which the caller
  // makes the child's stdout and stderr and then closes. Throws std::system_error.
  int open_pipe(std::string pea);

 private:
  struct Pipe {
    int fd = -1;  // read end, non-blocking
    std::string pea;
    LineSplitter lines;  // a line printed without newlines is written in pieces of 64 KiB
  };
  void run();
  // Reads what `pipe` holds; false once it has ended (then its last partial line is written).
  bool relay(Pipe& pipe);
  void write_line(const Pipe& pipe, std::string_view line);

  int wake_fd_ = -1;  // an eventfd: a pipe was added, or the relay is stopping
  std::mutex mutex_;
  std::vector<Pipe> added_;  // opened, not yet taken by the thread
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace jflow::detail
