// `jflow daemon` processes in VirtualHosts hosts, for the multi-host tests: one per host, on port 0
// of the host's address (or a port given, to start a daemon again where one was), found by the
// "listening tcp://…" line it prints.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "support/local_daemon.hpp"
#include "support/virtual_hosts.hpp"

namespace jflow::test {

struct HostDaemon {
  std::string address;  // "ADDR:PORT", as a pod's host: names it
  pid_t pid = 0;
};

constexpr auto kDaemonStart = std::chrono::seconds(10);

// Starts a daemon in host `i` listening on `port` ("0": any). With `keys`, the host gets the key
// pair h<i> and accepts the key "orchestrator"; without, it runs --insecure.
inline HostDaemon start_daemon(VirtualHosts& hosts, std::size_t i, KeyFolder* keys,
                               const std::string& port = "0") {
  std::vector<std::string> argv = {JFLOW_BINARY, "daemon", "--listen",
                                   "tcp://" + hosts.address(i) + ":" + port};
  if (keys) {
    const std::string name = "h" + std::to_string(i);
    keys->make(name);
    argv.insert(argv.end(), {"--key", keys->secret(name).string(), "--allow",
                             keys->pub("orchestrator").string()});
  } else {
    argv.push_back("--insecure");
  }
  const pid_t pid = hosts.spawn(i, argv);
  const std::string line =
      hosts.wait_for_line(pid, "listening tcp://", std::chrono::steady_clock::now() + kDaemonStart);
  // "listening tcp://10.213.7.2:41234 (curve)"
  const std::string endpoint = line.substr(std::string("listening tcp://").size());
  return {endpoint.substr(0, endpoint.find(' ')), pid};
}

// A daemon in every host; their "ADDR:PORT".
inline std::vector<std::string> start_daemons(VirtualHosts& hosts, KeyFolder* keys) {
  std::vector<std::string> addresses;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    addresses.push_back(start_daemon(hosts, i, keys).address);
  }
  return addresses;
}

}  // namespace jflow::test
