// `jflow run flow.yml`: start the flow, then send its declared input phases in order (or
// --input FILE|-, --files, --npy), reading each one only as fast as the window lets requests go
// out, print each reply as it arrives, close, and exit. Each reply prints one line (a search reply
// also its top matches); a phase with `show: progress`, and every phase under --quiet, prints a
// progress line instead on a terminal. With --serve, or when there is no input at all, the flow
// is served instead (serve_command.cpp).
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <optional>

#include "base/clock.hpp"
#include "commands.hpp"
#include "input_reader.hpp"
#include "jflow/flow.hpp"
#include "jflow/log.hpp"
#include "serve/metrics_listener.hpp"
#include "serve/serve_http.hpp"
#include "summary_text.hpp"

namespace jflow::cli {
namespace {

// Set by SIGINT or SIGTERM while input is sent: the run stops reading, lets the requests in flight
// end, prints the summary of what was done and exits 130 (issue 16, Found 9).
volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int) {
  g_interrupted = 1;
}

void set_run_signal(int signal, void (*handler)(int), struct sigaction* old = nullptr) {
  struct sigaction action {};
  action.sa_handler = handler;
  sigemptyset(&action.sa_mask);
  // No SA_RESTART: the poll for input returns (EINTR) and sees the flag. SA_RESETHAND: a second
  // Ctrl-C ends the run at once.
  action.sa_flags = handler == SIG_IGN ? 0 : SA_RESETHAND;
  ::sigaction(signal, &action, old);
}

// SIGINT and SIGTERM ignored while it lives (then caught once set_caught()), as they were after.
class StopSignals {
 public:
  StopSignals() {
    set_run_signal(SIGINT, SIG_IGN, &old_int_);
    set_run_signal(SIGTERM, SIG_IGN, &old_term_);
  }
  ~StopSignals() {
    ::sigaction(SIGINT, &old_int_, nullptr);
    ::sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  void set_caught() {
    set_run_signal(SIGINT, on_interrupt);
    set_run_signal(SIGTERM, on_interrupt);
  }

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

std::string route_text(const Envelope& envelope) {
  std::string text;
  for (const Route& route : envelope.routes) text += (text.empty() ? "" : ">") + route.pea;
  return text;
}

std::string shorten(std::string text, std::size_t width) {
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  return text;
}

std::string preview(const Request& request) {
  if (request.docs.empty()) return "";
  std::string text = shorten(request.docs.front().text, 60);
  if (request.docs.size() > 1) text += " (+" + std::to_string(request.docs.size() - 1) + " docs)";
  return text;
}

void print_matches(const Request& request) {
  for (const Document& query : request.docs) {
    std::printf("  query: %s\n", shorten(query.text, 100).c_str());
    if (query.matches.empty()) std::printf("    (no matches)\n");
    for (const Document& match : query.matches) {
      std::printf("    %7.4f  %-22s %s\n", match.score, shorten(match.id, 22).c_str(),
                  shorten(match.text, 90).c_str());
    }
  }
}

void print_reply(std::size_t number, const Response& response, double ms) {
  const Status& status = response.status();
  std::printf("[%zu] %s %s %s route=%s", number, std::string(status_code_name(status.code)).c_str(),
              std::string(request_type_name(response.envelope.type)).c_str(), format_ms(ms).c_str(),
              route_text(response.envelope).c_str());
  if (response.ok()) {
    std::printf(" | %s\n", preview(response.request).c_str());
    if (response.envelope.type == RequestType::search) print_matches(response.request);
  } else {
    // The traceparent, to find this request in the peas' logs.
    const std::string& trace = response.envelope.traceparent;
    std::printf(" | pod=%s%s%s: %s%s%s\n", status.pod.c_str(),
                status.executor.empty() ? "" : " executor=", status.executor.c_str(),
                status.message.c_str(), trace.empty() ? "" : " | traceparent=", trace.c_str());
  }
}

struct PhaseTally {
  std::size_t ok = 0, failed = 0, docs = 0, done_docs = 0;
  std::size_t peak_held = 0;  // documents read whose requests had not ended yet, at most
};

// A line on stderr rewritten in place on a terminal (left out otherwise: logs stay clean):
// documents done and their rate, and the percentage and ETA when the input's size is known.
class Progress {
 public:
  Progress(std::string_view what, bool enabled)
      : what_(what), enabled_(enabled && isatty(STDERR_FILENO) != 0) {}
  void update(std::size_t done, std::optional<double> fraction, SteadyTime began, bool last) {
    if (!enabled_) return;
    const SteadyTime now = steady_now();
    if (!last && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - began).count();
    std::string line = what_ + ": " + std::to_string(done) + " documents (" +
                       format_rate(seconds > 0 ? done / seconds : 0.0) + " docs/s)";
    if (fraction && *fraction > 0) {
      char text[64];
      std::snprintf(text, sizeof text, " %3.0f%%, ETA %.0f s", *fraction * 100,
                    seconds / *fraction - seconds);
      line += text;
    }
    std::fprintf(stderr, "\r%-72s%s", line.c_str(), last ? "\n" : "");
    std::fflush(stderr);
  }

 private:
  std::string what_;
  bool enabled_;
  SteadyTime last_{};
};

// Waits until the input has something to read, handling the flow's replies (and its timers and
// pea health) meanwhile: a slow pipe must not hold up the printing of results.
void wait_for_input(Flow& flow, InputReader& reader) {
  pollfd fds[2] = {{reader.fd(), POLLIN, 0}, {flow.native_handle(), POLLIN, 0}};
  while (!g_interrupted) {
    if (::poll(fds, 2, -1) < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    if (fds[1].revents != 0) flow.poll(Duration::zero());
    if (fds[0].revents != 0) {
      reader.read_available();
      return;
    }
  }
}

// Sends one phase: a request of request_size documents at a time, each read only when the flow
// has room for it. From a pipe, a request goes out with the documents that have arrived when the
// pipe has no more for now (a query typed at a terminal is answered at once).
PhaseTally run_phase(Flow& flow, InputReader& reader, const InputSpec& input,
                     const RunOptions& options, Duration timeout) {
  PhaseTally tally;
  const bool each = !options.quiet && !input.progress;
  Progress progress(request_type_name(input.type), options.quiet || input.progress);
  const SteadyTime began = steady_now();
  const std::size_t window = flow.spec().max_in_flight;
  std::size_t number = 0;
  bool more = true;
  while (more && !g_interrupted) {
    // Read the next request only when it can be sent: the reader holds at most the window.
    while (flow.in_flight() >= window && !g_interrupted) flow.poll(std::chrono::milliseconds(50));
    if (g_interrupted) break;
    Request request{input.type, {}, {}, {}};
    if (input.top_k > 0) request.parameters["top_k"] = input.top_k;
    try {
      while (request.docs.size() < input.request_size) {
        Document doc;
        const InputReader::Pull pulled = reader.pull(doc);
        if (pulled == InputReader::Pull::document) {
          request.docs.push_back(std::move(doc));
        } else if (pulled == InputReader::Pull::end) {
          more = false;
          break;
        } else if (!request.docs.empty()) {
          break;  // would block: send what has arrived
        } else if (g_interrupted) {
          break;
        } else {
          wait_for_input(flow, reader);
        }
      }
    } catch (const std::exception&) {
      // A bad line: reader.error() says where. The documents before it still go out; nothing
      // after it is read.
      more = false;
      if (reader.error().empty()) throw;
    }
    if (request.docs.empty()) break;
    tally.docs += request.docs.size();
    tally.peak_held = std::max(tally.peak_held, reader.documents_read() - tally.done_docs);
    const std::size_t docs = request.docs.size();
    flow.submit(
        std::move(request),
        [&, n = ++number, docs, sent = steady_now()](Response&& response) {
          response.ok() ? ++tally.ok : ++tally.failed;
          tally.done_docs += docs;
          progress.update(tally.done_docs, reader.fraction_read(), began, false);
          // A failure is always printed, even in a progress phase: it names pod and reason.
          if (!each && response.ok()) return;
          print_reply(n, response,
                      std::chrono::duration<double, std::milli>(steady_now() - sent).count());
          std::fflush(stdout);
        },
        timeout);
  }
  flow.wait_all();
  progress.update(tally.done_docs, reader.fraction_read(), began, true);
  const double seconds = std::chrono::duration<double>(steady_now() - began).count();
  std::printf("%s\n",
              format_summary(std::string(request_type_name(input.type)), tally.ok + tally.failed,
                             tally.docs, tally.ok, tally.failed, seconds)
                  .c_str());
  std::fflush(stdout);
  return tally;
}

LineFormat format_option(const std::string& text) {
  if (text == "text") return LineFormat::text;
  if (text == "tsv") return LineFormat::tsv;
  throw UsageError("--format: expected text or tsv, got '" + text + "'");
}

}  // namespace

void setup_run(CLI::App& app, RunOptions& options) {
  CLI::App* run = app.add_subcommand("run", "Start a flow, send its input, print the replies");
  run->add_option("flow", options.flow_file, "The flow's YAML file")->required();
  auto* input = run->add_option(
      "--input", options.input_file,
      "Send each non-empty line of FILE (- for standard input) as a document, instead of the\n"
      "flow's `input:` (shaped like its first phase: type, request_size, format)");
  run->add_option("--format", options.input_format,
                  "--input's lines: text (the line is the text) or tsv (id<TAB>text)");
  auto* files = run->add_option("--files", options.files,
                                "Send each file (a folder: the files under it) as a document");
  auto* npy = run->add_option("--npy", options.npy,
                              "Send each row of a 2-D .npy array as a document's embedding");
  input->excludes(files)->excludes(npy);
  files->excludes(npy);
  run->add_option("--max-in-flight", options.max_in_flight,
                  "Requests in flight at once (default: the flow's max_in_flight, else " +
                      std::to_string(defaults::kMaxInFlight) + ")");
  run->add_flag("-q,--quiet", options.quiet,
                "Print a summary per phase instead of one line per request (and progress on a "
                "terminal)");
  run->add_flag("--stats", options.stats,
                "At the end, print to stderr the most documents held at once and the peak RSS");
  run->add_option("--timeout", options.timeout,
                  "Deadline per request, e.g. 5s or 200ms (default: the flow's request_timeout)");
  run->add_flag("--serve", options.serve,
                "Serve the flow until SIGINT/SIGTERM instead of sending input (docs/SERVING.md);\n"
                "a flow with no input: and no --input is always served");
  run->add_option("--zmq", options.zmq, "Serve: the ZeroMQ endpoint (off: none)")
      ->capture_default_str();
  run->add_option("--http", options.http, "Serve: the HTTP endpoint HOST:PORT (off: none)")
      ->capture_default_str();
  run->add_option("--zmq-key", options.zmq_key,
                  "Serve: CURVE on the ZeroMQ endpoint with this key pair (.secret)");
  run->add_option("--zmq-allow", options.zmq_allow,
                  "Serve: the public keys (.pub) of the clients --zmq-key admits");
  run->add_option(
      "--metrics", options.metrics,
      "Answer GET /metrics (Prometheus text) on HOST:PORT while the run lasts; port 0:\n"
      "any free one, printed as `metrics URL` (a served flow has /metrics on --http)");
  add_log_options(*run, options.log);
  run->footer(
      "Input is read as requests go out (at most max_in_flight requests of request_size\n"
      "documents are held), and replies are printed as they arrive. A bad input line (tsv\n"
      "without a tab) stops the reading: the requests in flight end, FILE:LINE is printed, and\n"
      "the run exits 2.\n"
      "Exit codes: 0 every request succeeded; 1 some request ended in error, the flow failed,\n"
      "or an executor could not save its state when the flow closed;\n"
      "2 bad command line, flow file or input line (printed as file:line[:col]: message).");
}

int run_run(const RunOptions& options) {
  apply_log_options(options.log);
  FlowSpec spec = load_flow_yaml(options.flow_file);
  if (!options.max_in_flight.empty()) {
    std::size_t requests = 0;
    const std::string& text = options.max_in_flight;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), requests);
    if (error != std::errc{} || end != text.data() + text.size() || requests < 1 ||
        requests > defaults::kMaxInFlightLimit)
      throw UsageError("--max-in-flight: expected 1 to " +
                       std::to_string(defaults::kMaxInFlightLimit) + " requests, got '" + text +
                       "'");
    spec.max_in_flight = requests;
  }
  Duration timeout = Duration::zero();
  if (!options.timeout.empty()) {
    auto parsed = parse_duration(options.timeout);
    if (!parsed)
      throw UsageError("--timeout: expected a duration like 5s or 200ms, got '" + options.timeout +
                       "'");
    timeout = *parsed;
  }
  std::vector<InputSpec> phases = spec.input;
  std::vector<std::unique_ptr<InputReader>> readers;
  const bool given = !options.input_file.empty() || !options.files.empty() || !options.npy.empty();
  if (given) {
    // The command line replaces the declared phases with one, shaped like the first one.
    InputSpec phase = phases.empty() ? InputSpec{} : phases.front();
    if (!options.input_format.empty()) phase.format = format_option(options.input_format);
    phases = {phase};
  } else if (!options.input_format.empty()) {
    throw UsageError("--format applies to --input's lines; give --input FILE too");
  }
  if (options.serve || phases.empty()) {
    if (!options.metrics.empty())
      throw UsageError(
          "--metrics is for a run that is not served; a served flow answers GET "
          "/metrics on its --http endpoint");
    return run_serve(std::move(spec), options, timeout);
  }
  if (!options.metrics.empty()) {
    try {
      serve::parse_http_address(options.metrics,
                                "--metrics");  // a usage error before the flow starts
    } catch (const std::invalid_argument& e) {
      throw UsageError(e.what());
    }
  }
  // Files are opened (not read) before anything starts: a missing one fails at once.
  if (!options.files.empty()) {
    readers.push_back(InputReader::files({options.files.begin(), options.files.end()}));
  } else if (!options.npy.empty()) {
    readers.push_back(InputReader::npy(options.npy));
  } else if (given) {
    readers.push_back(InputReader::lines(options.input_file, phases.front().format));
  } else {
    for (const InputSpec& phase : phases)
      readers.push_back(InputReader::lines(phase.lines.string(), phase.format));
  }

  // Process peas inherit an ignored SIGINT/SIGTERM (a handler is reset by exec), so a Ctrl-C to the
  // terminal's process group stops the run, not its peas in the middle of requests.
  StopSignals signals;
  Flow flow(std::move(spec));
  flow.start();
  signals.set_caught();
  // Declared after the flow, so it stops before the flow goes: its handler reads the flow.
  std::optional<serve::MetricsListener> metrics;
  if (!options.metrics.empty()) {
    metrics.emplace(options.metrics, [&flow] { return flow.metrics(); });
    std::printf("metrics %s\n", metrics->url().c_str());
    std::fflush(stdout);
  }
  std::size_t failed = 0, peak_held = 0;
  std::string input_error;
  for (std::size_t i = 0; i < phases.size() && input_error.empty() && !g_interrupted; ++i) {
    const PhaseTally tally = run_phase(flow, *readers[i], phases[i], options, timeout);
    failed += tally.failed;
    peak_held = std::max(peak_held, tally.peak_held);
    input_error = readers[i]->error();
  }
  flow.close();
  if (options.stats) {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    std::fprintf(
        stderr, "stats: at most %zu documents held at once (max_in_flight %zu); peak RSS %.1f MB\n",
        peak_held, flow.spec().max_in_flight, usage.ru_maxrss / 1024.0);
  }
  if (g_interrupted) {
    log(LogLevel::warn, "interrupted; the rest of the input was not sent");
    return kExitInterrupted;
  }
  if (!input_error.empty()) {
    // The rest of the input was not sent (README "Input"): say where it stopped.
    log(LogLevel::error, input_error + "; reading stopped there");
    return kExitUsage;
  }
  // A close problem (an executor that could not save its state) was printed by the flow; it
  // fails the run like a failed request: what was indexed is not all there next time.
  return failed == 0 && flow.close_problems().empty() ? kExitOk : kExitRequestsFailed;
}

}  // namespace jflow::cli
