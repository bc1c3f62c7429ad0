// `jflow run flow.yml`: start the flow, send its declared input (or --input FILE) line by line,
// print one line per request as replies come back (or a summary with --quiet), close, and exit.
#include <unistd.h>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "jflow/clock.hpp"
#include "jflow/flow.hpp"

namespace jflow::cli {
namespace {

std::vector<Request> read_requests(const std::filesystem::path& file, const InputSpec& input) {
  std::ifstream in(file);
  if (!in) throw UsageError("cannot read input file '" + file.string() + "'");
  std::vector<Request> requests;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (requests.empty() || requests.back().docs.size() >= input.request_size) {
      requests.push_back(Request{input.type, {}, {}});
    }
    Document doc;
    doc.text = line;
    requests.back().docs.push_back(std::move(doc));
  }
  return requests;
}

std::string route_text(const Envelope& envelope) {
  std::string text;
  for (const Route& route : envelope.routes) text += (text.empty() ? "" : ">") + route.pea;
  return text;
}

std::string preview(const Request& request) {
  if (request.docs.empty()) return "";
  std::string text = request.docs.front().text;
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  if (request.docs.size() > 1) text += " (+" + std::to_string(request.docs.size() - 1) + " docs)";
  return text;
}

}  // namespace

void setup_run(CLI::App& app, RunOptions& options) {
  CLI::App* run = app.add_subcommand("run", "Start a flow, send its input, print the replies");
  run->add_option("flow", options.flow_file, "The flow's YAML file")->required();
  run->add_option("--input", options.input_file,
                  "Send each line of FILE as a document (overrides the flow's `input: lines:`)");
  run->add_flag("-q,--quiet", options.quiet, "Print a summary instead of one line per request");
  run->add_option("--timeout", options.timeout,
                  "Deadline per request, e.g. 5s or 200ms (default: the flow's request_timeout)");
  run->footer(
      "Exit codes: 0 every request succeeded; 1 some request ended in error or the flow failed;\n"
      "2 bad command line or flow file (printed as file:line:col: message).");
}

int run_run(const RunOptions& options) {
  FlowSpec spec = load_flow_yaml(options.flow_file);
  InputSpec input = spec.input.value_or(InputSpec{});
  std::filesystem::path input_file =
      options.input_file.empty() ? input.lines : std::filesystem::path(options.input_file);
  if (input_file.empty()) {
    throw UsageError(options.flow_file +
                     ": the flow declares no input (input: lines: FILE); give --input FILE");
  }
  Duration timeout = Duration::zero();
  if (!options.timeout.empty()) {
    auto parsed = parse_duration(options.timeout);
    if (!parsed)
      throw UsageError("--timeout: expected a duration like 5s or 200ms, got '" + options.timeout +
                       "'");
    timeout = *parsed;
  }
  std::vector<Request> requests = read_requests(input_file, input);

  Flow flow(std::move(spec));
  flow.start();
  SteadyTime began = steady_now();
  std::size_t ok = 0, failed = 0, docs = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    std::size_t number = i + 1;
    docs += requests[i].docs.size();
    flow.submit(
        std::move(requests[i]),
        [&, number, sent = steady_now()](Response&& response) {
          double ms = std::chrono::duration<double, std::milli>(steady_now() - sent).count();
          response.ok() ? ++ok : ++failed;
          if (options.quiet) return;
          const Status& status = response.status();
          std::printf("[%zu] %s %s %.1fms route=%s", number,
                      std::string(status_code_name(status.code)).c_str(),
                      std::string(request_type_name(response.envelope.type)).c_str(), ms,
                      route_text(response.envelope).c_str());
          if (response.ok()) {
            std::printf(" | %s\n", preview(response.request).c_str());
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
  double seconds = std::chrono::duration<double>(steady_now() - began).count();
  flow.close();
  std::printf("%zu requests (%zu documents): %zu ok, %zu failed in %.2fs\n", ok + failed, docs, ok,
              failed, seconds);
  return failed == 0 ? kExitOk : kExitRequestsFailed;
}

}  // namespace jflow::cli
