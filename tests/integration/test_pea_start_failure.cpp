// A pea that cannot be started fails the flow's start once, naming the pea and why, and the peas
// started before it are stopped (issue 16, found 1: the orchestrator crashed with SIGSEGV on the
// slot of the pea whose start threw, which had no handle).
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <string>

#include "support/temp_dir.hpp"

namespace {

constexpr uid_t kNobody = 65534;

struct Ended {
  bool signalled = false;
  int code = -1;
  std::string output;
};

// Runs `jflow run FLOW` as user nobody with at most `max_processes` processes (threads count too)
// for that user, so fork() fails once the flow's process peas reach the limit. Root is exempt
// from RLIMIT_NPROC, hence the other user.
Ended run_as_nobody_with_process_limit(const std::string& flow, rlim_t max_processes) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    // LeakSanitizer's exit check clones a thread, which the process limit may refuse (ASan
    // builds only; elsewhere the variable is ignored).
    ::setenv("ASAN_OPTIONS", "detect_leaks=0", 1);
    const rlimit limit{max_processes, max_processes};
    if (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0 || ::setrlimit(RLIMIT_NPROC, &limit) != 0)
      ::_exit(120);
    ::execl(JFLOW_BINARY, JFLOW_BINARY, "run", flow.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  Ended ended;
  std::array<char, 4096> buffer{};
  ssize_t n = 0;
  while ((n = ::read(fds[0], buffer.data(), buffer.size())) > 0)
    ended.output.append(buffer.data(), static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ended.signalled = WIFSIGNALED(status);
  ended.code = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
  return ended;
}

}  // namespace

TEST_CASE("a process pea that cannot be forked fails the start naming it, without a crash",
          "[flow][start]") {
  if (::getuid() != 0) {
    WARN("needs root to run the flow as another user under RLIMIT_NPROC; not run");
    return;
  }
  jflow::test::TempDir dir("start-failure");
  ::chmod(dir.path().c_str(), 0755);
  const auto flow = dir.write("many.yml",
                              "version: 1\n"
                              "with: {runtime: process}\n"
                              "input:\n"
                              "  - lines: lines.txt\n"
                              "pods:\n"
                              "  - name: wide\n"
                              "    parallel: 24\n");
  ::chmod(flow.c_str(), 0644);
  ::chmod(dir.write("lines.txt", "one\ntwo\n").c_str(), 0644);
  const Ended ended = run_as_nobody_with_process_limit(flow.string(), 12);
  INFO(ended.output);
  REQUIRE(ended.code != 120);  // could not become nobody
  CHECK_FALSE(ended.signalled);
  CHECK(ended.code == 1);
  CHECK_THAT(ended.output, Catch::Contains("cannot start pea 'wide/"));
  CHECK_THAT(ended.output, Catch::Contains("fork failed"));
}
