// `jflow run FLOW.yml --serve` (and `jflow run` on a flow without input): serve the flow until
// SIGINT or SIGTERM, then drain and exit 0. Prints one "serving KIND ENDPOINT" line per endpoint
// once it listens (scripts and tests read the real port of a port-0 address from them).
#include <csignal>
#include <cstdio>

#include <tuple>

#include "commands.hpp"
#include "serve/serve_http.hpp"
#include "serve/serve_server.hpp"

namespace jflow::cli {

namespace {

serve::Server* g_server = nullptr;  // what the signal handler stops

extern "C" void on_stop_signal(int) {
  if (g_server) g_server->stop();  // writes an eventfd: async-signal-safe
}

void set_handler(int signal, void (*handler)(int), struct sigaction* old = nullptr) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(signal, &action, old);
}

}  // namespace

int run_serve(FlowSpec spec, const RunOptions& options, Duration timeout) {
  if (options.http != "off") {
    try {
      serve::parse_http_address(options.http);  // a usage error before the flow starts
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  serve::ServeOptions serve_options;
  serve_options.zmq_address = options.zmq;
  serve_options.http_address = options.http;
  if (options.zmq_key.empty() != options.zmq_allow.empty()) {
    throw UsageError(
        "--zmq-key and --zmq-allow go together: CURVE admits only the clients it lists");
  }
  std::tie(serve_options.zmq_key, serve_options.zmq_allowed) =
      read_server_keys(options.zmq_key, options.zmq_allow);
  serve_options.request_timeout = timeout;
  serve::Server server(std::move(spec), serve_options);
  // Process peas inherit an ignored SIGINT/SIGTERM (a handler would be reset by exec): a Ctrl-C,
  // which the terminal sends to the whole process group, then stops only this server, which
  // drains the requests in flight before it stops the peas itself.
  struct sigaction old_int {
  }, old_term{};
  set_handler(SIGINT, SIG_IGN, &old_int);
  set_handler(SIGTERM, SIG_IGN, &old_term);
  g_server = &server;
  try {
    server.serve([](const serve::Endpoints& endpoints) {
      set_handler(SIGINT, on_stop_signal);
      set_handler(SIGTERM, on_stop_signal);
      if (!endpoints.zmq.empty()) std::printf("serving zmq %s\n", endpoints.zmq.c_str());
      if (!endpoints.http.empty()) std::printf("serving http %s\n", endpoints.http.c_str());
      std::fflush(stdout);
    });
  } catch (...) {
    g_server = nullptr;
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    throw;
  }
  g_server = nullptr;
  ::sigaction(SIGINT, &old_int, nullptr);
  ::sigaction(SIGTERM, &old_term, nullptr);
  const serve::ServerStatus done = server.status();
  std::printf("stopped: served %llu requests (%llu failed)\n",
              static_cast<unsigned long long>(done.served),
              static_cast<unsigned long long>(done.failed));
  std::fflush(stdout);
  return kExitOk;
}

}  // namespace jflow::cli
