// `jflow client ADDR`: sends lines, files or the rows of a .npy array to a served flow over
// ZeroMQ and prints one line per reply (a search reply also its matches); --quiet prints the
// summary only. Exit 0 when every request succeeded, 1 when some failed, 2 for usage errors.
#include <cstdio>
#include <iostream>

#include "base/clock.hpp"
#include "commands.hpp"
#include "jflow/client.hpp"
#include "summary_text.hpp"

namespace jflow::cli {

namespace {

DocumentSource stdin_lines() {
  return []() -> std::optional<Document> {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      Document doc;
      doc.text = std::move(line);
      return doc;
    }
    return std::nullopt;
  };
}

std::string clip(const std::string& text, std::size_t width) {
  return text.size() > width ? text.substr(0, width - 3) + "..." : text;
}

void print_reply(const Response& response, double seconds) {
  const Status& status = response.status();
  std::printf("[%s] %s %s at %.3fs", response.envelope.request_id.c_str(),
              std::string(status_code_name(status.code)).c_str(),
              std::string(request_type_name(response.envelope.type)).c_str(), seconds);
  if (!response.ok()) {
    // The traceparent, to find this request in the peas' logs.
    const std::string& trace = response.envelope.traceparent;
    std::printf(" | pod=%s%s%s: %s%s%s\n", status.pod.c_str(),
                status.executor.empty() ? "" : " executor=", status.executor.c_str(),
                status.message.c_str(), trace.empty() ? "" : " | traceparent=", trace.c_str());
    return;
  }
  const auto& docs = response.request.docs;
  std::printf(" | %zu docs%s%s\n", docs.size(), docs.empty() ? "" : ": ",
              docs.empty() ? "" : clip(docs.front().text, 60).c_str());
  if (response.envelope.type != RequestType::search) return;
  for (const Document& query : docs) {
    std::printf("  query: %s\n", clip(query.text, 100).c_str());
    for (const Document& match : query.matches)
      std::printf("    %7.4f  %-22s %s\n", match.score, clip(match.id, 22).c_str(),
                  clip(match.text, 90).c_str());
  }
}

}  // namespace

void setup_client(CLI::App& app, ClientCommandOptions& options) {
  CLI::App* client = app.add_subcommand("client", "Send documents to a served flow over ZeroMQ");
  client->add_option("address", options.address, "The flow's ZeroMQ endpoint, e.g. 127.0.0.1:45678")
      ->required();
  auto* lines = client->add_option("--lines", options.lines,
                                   "One document per non-empty line of FILE (- for stdin)");
  auto* files = client->add_option("--files", options.files, "One document per file, its bytes");
  auto* npy = client->add_option("--npy", options.npy, "One document per row of a 2-D .npy array");
  lines->excludes(files)->excludes(npy);
  files->excludes(npy);
  client->add_option("--type", options.type, "Request type")
      ->check(CLI::IsMember({"index", "search", "train"}))
      ->capture_default_str();
  client->add_option("--top-k", options.top_k, "Sent as the requests' top_k parameter")
      ->check(CLI::PositiveNumber);
  client->add_option("--request-size", options.request_size, "Documents per request")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  client->add_option("--window", options.window, "Requests in flight at once")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  client->add_option("--timeout", options.timeout, "Deadline per request")->capture_default_str();
  client->add_flag("-q,--quiet", options.quiet, "Print only the summary");
  add_client_key_options(*client, options.key, options.server_key);
  client->footer(
      "Exit codes: 0 every request succeeded; 1 some request failed; 2 bad command line or input.");
}

int run_client(const ClientCommandOptions& options) {
  const Duration timeout = parse_timeout_option(options.timeout);
  const RequestType type = *parse_request_type(options.type);
  DocumentSource source;
  try {
    if (!options.npy.empty()) {
      source = rows_of(read_npy(options.npy));
    } else if (!options.files.empty()) {
      std::vector<std::filesystem::path> paths(options.files.begin(), options.files.end());
      source = files_of(paths);
    } else if (options.lines == "-") {
      source = stdin_lines();
    } else if (!options.lines.empty()) {
      source = lines_of_file(options.lines);
    } else {
      throw UsageError("give what to send: --lines FILE (- for stdin), --files F... or --npy FILE");
    }
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  } catch (const UsageError&) {
    throw;
  } catch (const std::runtime_error& e) {
    throw UsageError(e.what());
  }
  jflow::ClientOptions client_options;
  client_options.timeout = timeout;
  client_options.window = options.window;
  apply_client_keys(options.key, options.server_key, client_options);
  Client client(zmq_address(options.address), client_options);
  RequestOptions request_options;
  request_options.request_size = options.request_size;
  request_options.timeout = timeout;
  if (options.top_k > 0) request_options.parameters["top_k"] = options.top_k;
  std::size_t ok = 0, failed = 0, docs = 0;
  const SteadyTime began = steady_now();
  request_options.on_always = [&](const Response& response) {
    response.ok() ? ++ok : ++failed;
    if (options.quiet) return;
    print_reply(response, std::chrono::duration<double>(steady_now() - began).count());
    std::fflush(stdout);
  };
  // Counts the documents sent, whatever their replies hold.
  DocumentSource counted = [&docs, source = std::move(source)]() {
    std::optional<Document> doc = source();
    if (doc) ++docs;
    return doc;
  };
  client.send(type, std::move(counted), request_options);
  const double seconds = std::chrono::duration<double>(steady_now() - began).count();
  std::printf("%s\n", format_summary(options.type, ok + failed, docs, ok, failed, seconds).c_str());
  return failed == 0 ? kExitOk : kExitRequestsFailed;
}

}  // namespace jflow::cli
