// bench_cli: the CLI path end to end — `jflow run --quiet` of a 3-pod pass flow (process peas over
// tcp on 127.0.0.1) over N generated one-line documents, start-up and close included — against a
// raw libzmq chain of the same 4 hops (this process → 3 forwarding processes → this process,
// bench/raw_chain.hpp) streaming N messages of the same frames with the same window, in one run.
// Prints req/s for both, flow ÷ raw, and the orchestrator's peak RSS and the most documents it
// held at once (from `jflow run --stats`), so a memory that grows with the input shows.
//
//   bench_cli                         # 200000 and 2000000 lines, window = the default
//   max_in_flight bench_cli --lines 20000,200000 --window 64
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <zmq.hpp>

#include "jflow/codec.hpp"
#include "jflow/defaults.hpp"
#include "measurement.hpp"
#include "raw_chain.hpp"

namespace jflow::bench {
namespace {

struct Options {
  std::vector<std::size_t> lines = {200000, 2000000};
  std::size_t window = defaults::kMaxInFlight;
  std::string jflow = JFLOW_BUILD_BINARY;
};

struct CliRun {
  double seconds = 0;
  double peak_rss_mb = 0;
  long held = -1;
  std::string output;
};

// Runs `jflow run` as a child, timing it from fork to exit (start-up and close included).
CliRun run_cli(const Options& options, const std::string& flow, const std::string& input) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  const auto began = BenchClock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(out[1], STDERR_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    const std::string window = std::to_string(options.window);
    ::execl(options.jflow.c_str(), options.jflow.c_str(), "run", "--quiet", "--stats",
            "--max-in-flight", window.c_str(), "--input", input.c_str(), flow.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  CliRun run;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(out[0], buffer, sizeof buffer)) > 0) run.output.append(buffer, std::size_t(n));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  run.seconds = std::chrono::duration<double>(BenchClock::now() - began).count();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error("jflow run failed:\n" + run.output);
  std::smatch match;
  if (std::regex_search(run.output, match,
                        std::regex(R"(at most (\d+) documents held.*peak RSS ([0-9.]+) MB)"))) {
    run.held = std::stol(match[1]);
    run.peak_rss_mb = std::stod(match[2]);
  }
  return run;
}

int run_bench(const Options& options) {
  char folder_pattern[] = "/tmp/jflow-bench-cli-XXXXXX";
  if (::mkdtemp(folder_pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  const std::string folder = folder_pattern;
  const std::string flow = folder + "/pass3.yml";
  std::ofstream(flow) << "version: 1\ntransport: tcp\nwith: {runtime: process}\npods:\n"
                         "  - {name: p1, uses: _pass}\n  - {name: p2, uses: _pass}\n"
                         "  - {name: p3, uses: _pass}\n";
  zmq::context_t context;
  RawChain raw(context, 3, std::filesystem::read_symlink("/proc/self/exe"));
  Envelope envelope;
  envelope.request_id = "0123456789abcdef-123456";  // shaped like the flow's
  const std::string envelope_bytes = encode_envelope(envelope);
  std::printf(
      "bench_cli: jflow run of a 3-pod pass flow (process peas, tcp) vs a raw libzmq chain "
      "of 4 hops; window %zu; one document per request\n",
      options.window);
  std::printf("%10s %12s %12s %8s %14s %12s\n", "lines", "jflow req/s", "raw req/s", "ratio",
              "peak RSS (MB)", "max held");
  for (const std::size_t lines : options.lines) {
    const std::string input = folder + "/lines-" + std::to_string(lines) + ".txt";
    {
      std::ofstream out(input);
      for (std::size_t i = 1; i <= lines; ++i) out << "document " << i << "\n";
    }
    Request request;
    request.docs.push_back(Document{});
    request.docs.back().text = "document 1000000";  // as long as a typical generated line
    const std::string body = encode_body(request);
    const CliRun cli = run_cli(options, flow, input);
    const Measurement m = raw.run(envelope_bytes, body, lines, options.window);
    const double cli_rate = lines / cli.seconds;
    std::printf("%10zu %12.0f %12.0f %8.2f %14.1f %12ld\n", lines, cli_rate,
                m.requests_per_second(), cli_rate / m.requests_per_second(), cli.peak_rss_mb,
                cli.held);
    std::fflush(stdout);
    std::filesystem::remove(input);
  }
  raw.stop();
  std::filesystem::remove_all(folder);
  std::printf(
      "jflow's time includes starting and closing its 3 peas; the raw chain was started "
      "before timing.\n");
  return 0;
}

}  // namespace
}  // namespace jflow::bench

int main(int argc, char** argv) {
  // A hop of the raw chain is this same binary, started by RawChain; it must not parse options.
  if (argc == 3 && argv[1] == jflow::bench::kRawHopFlag) return jflow::bench::run_raw_hop(argv[2]);
  jflow::bench::Options options;
  CLI::App app{"Benchmark: jflow run of a 3-pod pass flow against a raw libzmq chain of 4 hops"};
  app.add_option("--lines", options.lines, "input sizes, e.g. 200000,2000000")->delimiter(',');
  app.add_option("--window", options.window, "requests in flight (jflow's --max-in-flight)")
      ->capture_default_str();
  app.add_option("--jflow", options.jflow, "the jflow binary")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return jflow::bench::run_bench(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_cli: %s\n", e.what());
    return 1;
  }
}
