// bench_soak: memory over a long run of a served flow (issue 16, item 5). Starts
// `jflow run FLOW --serve` as a child (two pods `_pass`, process peas over ipc, so the server and
// each pea are processes of their own), sends --requests one-document requests through
// jflow::Client with --window in flight, and samples the resident set (VmRSS) of the server and
// of each pea every --sample requests. Prints the samples and each process's growth from the
// sample at --baseline requests to the last (the target: under 5 %). Memory is the measure here,
// not speed, so there is no raw-libzmq side; the request rate is printed for context.
//
//   bench_soak                                  # 1,000,000 requests, samples every 100,000
//   bench_soak --requests 200000 --sample 20000 --baseline 20000
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "jflow/client.hpp"

namespace jflow::bench {
namespace {

struct Options {
  std::size_t requests = 1'000'000;
  std::size_t sample = 100'000;
  std::size_t baseline = 100'000;
  std::size_t window = 64;
  std::string jflow = JFLOW_BUILD_BINARY;
};

// VmRSS of a process in KiB, or -1 when it is gone.
long rss_kib(int pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// The children of `parent` (the peas of the server), by pid.
std::vector<int> children_of(int parent) {
  std::vector<int> found;
  DIR* proc = ::opendir("/proc");
  if (!proc) return found;
  while (dirent* entry = ::readdir(proc)) {
    const int pid = std::atoi(entry->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const std::size_t end = text.rfind(')');
    if (end == std::string::npos) continue;
    std::istringstream rest(text.substr(end + 2));
    std::string state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) found.push_back(pid);
  }
  ::closedir(proc);
  return found;
}

class ServedFlow {
 public:
  ServedFlow(const Options& options, const std::string& flow) {
    int out[2];
    if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::dup2(out[1], STDOUT_FILENO);
      ::close(out[0]);
      ::close(out[1]);
      ::execl(options.jflow.c_str(), options.jflow.c_str(), "run", flow.c_str(), "--serve", "--zmq",
              "tcp://127.0.0.1:*", "--http", "off", nullptr);
      ::_exit(127);
    }
    ::close(out[1]);
    out_ = ::fdopen(out[0], "r");
    char line[512];
    while (std::fgets(line, sizeof line, out_)) {
      const std::string text = line;
      if (text.rfind("serving zmq ", 0) == 0) {
        endpoint_ = text.substr(12, text.find_last_not_of("\r\n") - 11);
        return;
      }
    }
    throw std::runtime_error("the served flow did not start");
  }
  ~ServedFlow() {
    ::kill(pid_, SIGTERM);
    char line[512];
    while (std::fgets(line, sizeof line, out_)) std::fputs(line, stdout);
    std::fclose(out_);
    ::waitpid(pid_, nullptr, 0);
  }
  int pid() const { return pid_; }
  const std::string& endpoint() const { return endpoint_; }

 private:
  int pid_ = -1;
  std::FILE* out_ = nullptr;
  std::string endpoint_;
};

int run(const Options& options) {
  char folder[] = "/tmp/jflow-soak-XXXXXX";
  if (!::mkdtemp(folder)) throw std::runtime_error("mkdtemp failed");
  const std::string flow = std::string(folder) + "/soak.yml";
  std::ofstream(flow) << "version: 1\ntransport: ipc\nwith: {runtime: process}\npods:\n"
                         "  - {name: first, uses: _pass}\n  - {name: second, uses: _pass}\n";
  std::map<std::string, std::vector<long>> samples;  // process -> RSS KiB per sample
  std::vector<std::size_t> at;
  std::size_t failed = 0;
  double seconds = 0;
  {
    ServedFlow served(options, flow);
    const std::vector<int> peas = children_of(served.pid());
    const auto sample = [&](std::size_t done) {
      at.push_back(done);
      samples["server"].push_back(rss_kib(served.pid()));
      for (std::size_t i = 0; i < peas.size(); ++i)
        samples["pea " + std::to_string(i + 1)].push_back(rss_kib(peas[i]));
    };
    ClientOptions client_options;
    client_options.window = options.window;
    Client client(served.endpoint(), client_options);
    std::size_t sent = 0, ended = 0;
    const auto began = std::chrono::steady_clock::now();
    Request request{RequestType::index, {}, {}, {}};
    Document doc;
    doc.text = "a line of text of about sixty-four bytes, as the other benchmarks send";
    request.docs.push_back(doc);
    sample(0);
    while (ended < options.requests) {
      while (sent < options.requests && client.in_flight() < options.window) {
        doc.id = std::to_string(sent);
        request.docs[0] = doc;
        ++sent;
        client.submit(request, [&](Response&& response) {
          ++ended;
          if (!response.ok()) ++failed;
          if (ended % options.sample == 0) sample(ended);
        });
      }
      client.poll(std::chrono::milliseconds(100));
    }
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    std::printf("%zu requests (%zu failed) in %.1f s: %.0f requests/s, window %zu, %zu peas\n",
                options.requests, failed, seconds, options.requests / seconds, options.window,
                peas.size());
  }
  std::printf("\n%-10s", "requests");
  for (const auto& [name, values] : samples) std::printf("%12s", name.c_str());
  std::printf("   (RSS, MiB)\n");
  for (std::size_t i = 0; i < at.size(); ++i) {
    std::printf("%-10zu", at[i]);
    for (const auto& [name, values] : samples) std::printf("%12.1f", values[i] / 1024.0);
    std::printf("\n");
  }
  std::size_t base = 0;
  while (base < at.size() && at[base] < options.baseline) ++base;
  if (base < at.size()) {
    std::printf("%-10s", "growth");
    for (const auto& [name, values] : samples) {
      const double from = static_cast<double>(values[base]),
                   to = static_cast<double>(values.back());
      std::printf("%11.1f%%", 100.0 * (to - from) / from);
    }
    std::printf("   (from %zu to %zu requests)\n", at[base], at.back());
  }
  std::error_code ignored;
  std::filesystem::remove_all(folder, ignored);
  return failed == 0 ? 0 : 1;
}

}  // namespace
}  // namespace jflow::bench

int main(int argc, char** argv) {
  jflow::bench::Options options;
  CLI::App app{"bench_soak: RSS of a served flow's server and peas over a long run"};
  app.add_option("--requests", options.requests, "Requests to send")->capture_default_str();
  app.add_option("--sample", options.sample, "Sample RSS every N requests")->capture_default_str();
  app.add_option("--baseline", options.baseline, "Growth is measured from this sample")
      ->capture_default_str();
  app.add_option("--window", options.window, "Requests in flight")->capture_default_str();
  app.add_option("--jflow", options.jflow, "The jflow binary")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return jflow::bench::run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_soak: %s\n", e.what());
    return 2;
  }
}
