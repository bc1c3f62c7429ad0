// What jflow's own layers need of the logger beyond the public API (jflow/log.hpp): writing a
// line that a pea on another host printed, and, for tests, where the lines go.
#pragma once

#include <string_view>

namespace jflow {

// Writes what the pea `pea` on the daemon at `host` (empty: a process pea of this machine) printed
// (one line, without its '\n') in this process's format: base/log_line.hpp's forwarded_log_line().
// Not filtered by level: the pea was started with this process's level and filtered its lines
// itself.
void log_forwarded(std::string_view pea, std::string_view host, std::string_view line);

// Sends the log lines to `fd` instead (2, stderr, until changed) and returns the one before. The
// caller keeps `fd` open while it is set.
int set_log_output(int fd);

}  // namespace jflow
