// Where this process binds its ipc sockets: a private folder $TMPDIR/jflow-ipc-PID-XXXXXX (0700),
// made on first use and removed at exit. libzmq's own "ipc://*" makes a tmpXXXXXX folder per
// socket that only a clean close removes, so every killed flow left its folders behind (issue 16,
// Found 9). A process killed with SIGKILL cannot remove anything itself; instead, the next jflow
// process that makes its folder removes the folders of jflow processes that no longer exist
// (same owner, PID not running).
#pragma once

#include <string>

namespace jflow {

// "ipc://FOLDER/N", a new path in this process's folder for each call (thread-safe).
std::string next_ipc_endpoint();

// Removes $TMPDIR/jflow-ipc-PID-* folders owned by this user whose process is gone; returns how
// many. Called once by the first next_ipc_endpoint() of a process.
int remove_stale_ipc_folders();

}  // namespace jflow
