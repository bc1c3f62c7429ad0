// `jflow run flow.yml`: start the flow, send its declared input phases in order (or --input
// FILE), print the replies, close, and exit. Each reply prints one line (a search reply also its
// top matches); a phase with `show: progress` prints a counter instead, rewritten in place when
// stderr is a terminal. --quiet prints only each phase's summary. With --serve, or when there is
// no input at all, the flow is served instead (serve_command.cpp).
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "base/clock.hpp"
#include "commands.hpp"
#include "jflow/flow.hpp"
#include "summary_text.hpp"

namespace jflow::cli {
namespace {

std::vector<Request> read_requests(const std::filesystem::path& file, const InputSpec& input) {
  std::ifstream in(file);
  if (!in) throw UsageError("cannot read input file '" + file.string() + "'");
  std::vector<Request> requests;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    if (requests.empty() || requests.back().docs.size() >= input.request_size) {
      Request request{input.type, {}, {}};
      if (input.top_k > 0) request.parameters["top_k"] = input.top_k;
      requests.push_back(std::move(request));
    }
    Document doc;
    if (input.format == LineFormat::tsv) {
      const std::size_t tab = line.find('\t');
      if (tab == std::string::npos || tab == 0) {
        throw UsageError(file.string() + ":" + std::to_string(number) +
                         ": expected 'id<TAB>text' (format: tsv)");
      }
      doc.id = line.substr(0, tab);
      doc.text = line.substr(tab + 1);
    } else {
      doc.text = line;
    }
    requests.back().docs.push_back(std::move(doc));
  }
  return requests;
}

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

struct PhaseTally {
  std::size_t ok = 0, failed = 0, docs = 0, done_docs = 0;
};

// A counter on stderr: rewritten in place on a terminal, otherwise left out (logs stay clean).
class Progress {
 public:
  Progress(std::string_view what, std::size_t total_docs)
      : what_(what), total_(total_docs), terminal_(isatty(STDERR_FILENO) != 0) {}
  void update(std::size_t done, SteadyTime began) {
    if (!terminal_) return;
    const SteadyTime now = steady_now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - began).count();
    std::fprintf(stderr, "\r%s: %zu/%zu documents (%s docs/s)", what_.c_str(), done, total_,
                 format_rate(seconds > 0 ? done / seconds : 0.0).c_str());
    if (done >= total_) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }

 private:
  std::string what_;
  std::size_t total_;
  bool terminal_;
  SteadyTime last_{};
};

PhaseTally run_phase(Flow& flow, std::vector<Request> requests, const InputSpec& input,
                     const RunOptions& options, Duration timeout) {
  PhaseTally tally;
  for (const Request& request : requests) tally.docs += request.docs.size();
  const bool each = !options.quiet && !input.progress;
  Progress progress(request_type_name(input.type), tally.docs);
  const SteadyTime began = steady_now();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::size_t number = i + 1;
    const std::size_t docs = requests[i].docs.size();
    flow.submit(
        std::move(requests[i]),
        [&, number, docs, sent = steady_now()](Response&& response) {
          response.ok() ? ++tally.ok : ++tally.failed;
          tally.done_docs += docs;
          if (!options.quiet && input.progress) progress.update(tally.done_docs, began);
          const Status& status = response.status();
          if (!each && response.ok()) return;
          // A failure is always printed, even in a progress phase: it names pod and reason.
          double ms = std::chrono::duration<double, std::milli>(steady_now() - sent).count();
          std::printf("[%zu] %s %s %s route=%s", number,
                      std::string(status_code_name(status.code)).c_str(),
                      std::string(request_type_name(response.envelope.type)).c_str(),
                      format_ms(ms).c_str(), route_text(response.envelope).c_str());
          if (response.ok()) {
            std::printf(" | %s\n", preview(response.request).c_str());
            if (response.envelope.type == RequestType::search) print_matches(response.request);
          } else {
            std::printf(" | pod=%s%s%s: %s\n", status.pod.c_str(),
                        status.executor.empty() ? "" : " executor=", status.executor.c_str(),
                        status.message.c_str());
          }
          std::fflush(stdout);
        },
        timeout);
  }
  flow.wait_all();
  const double seconds = std::chrono::duration<double>(steady_now() - began).count();
  std::printf("%s\n",
              format_summary(std::string(request_type_name(input.type)), tally.ok + tally.failed,
                             tally.docs, tally.ok, tally.failed, seconds)
                  .c_str());
  std::fflush(stdout);
  return tally;
}

}  // namespace

void setup_run(CLI::App& app, RunOptions& options) {
  CLI::App* run = app.add_subcommand("run", "Start a flow, send its input, print the replies");
  run->add_option("flow", options.flow_file, "The flow's YAML file")->required();
  run->add_option("--input", options.input_file,
                  "Send each line of FILE as a document (instead of the flow's `input:`)");
  run->add_flag("-q,--quiet", options.quiet, "Print a summary instead of one line per request");
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
  run->footer(
      "Exit codes: 0 every request succeeded; 1 some request ended in error, the flow failed,\n"
      "or an executor could not save its state when the flow closed;\n"
      "2 bad command line or flow file (printed as file:line:col: message).");
}

int run_run(const RunOptions& options) {
  FlowSpec spec = load_flow_yaml(options.flow_file);
  std::vector<InputSpec> phases = spec.input;
  if (!options.input_file.empty()) {
    // --input replaces the declared phases with one, shaped like the first declared phase.
    InputSpec phase = phases.empty() ? InputSpec{} : phases.front();
    phase.lines = options.input_file;
    phases = {phase};
  }
  Duration timeout = Duration::zero();
  if (!options.timeout.empty()) {
    auto parsed = parse_duration(options.timeout);
    if (!parsed)
      throw UsageError("--timeout: expected a duration like 5s or 200ms, got '" + options.timeout +
                       "'");
    timeout = *parsed;
  }
  if (options.serve || phases.empty()) return run_serve(std::move(spec), options, timeout);
  // Every input file is read before anything starts, so a bad line fails fast.
  std::vector<std::vector<Request>> requests;
  for (const InputSpec& phase : phases) requests.push_back(read_requests(phase.lines, phase));

  Flow flow(std::move(spec));
  flow.start();
  std::size_t failed = 0;
  for (std::size_t i = 0; i < phases.size(); ++i) {
    failed += run_phase(flow, std::move(requests[i]), phases[i], options, timeout).failed;
  }
  flow.close();
  // A close problem (an executor that could not save its state) was printed by the flow; it
  // fails the run like a failed request: what was indexed is not all there next time.
  return failed == 0 && flow.close_problems().empty() ? kExitOk : kExitRequestsFailed;
}

}  // namespace jflow::cli
