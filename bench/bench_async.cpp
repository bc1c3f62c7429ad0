// bench_async: one pass-through pod driven three ways in one run — the blocking Flow, AsyncFlow in
// an epoll loop, AsyncFlow in a libuv loop — and the seed scenario (a d-second flow request next
// to an unrelated d-second timer in the same loop) for epoll and libuv.
//
// The three drivers run the same flow shape (one `_pass` pod, a process pea over tcp on
// 127.0.0.1), the same requests (1 document, 64 bytes of text) and the same window of requests in
// flight; they alternate round by round so machine noise hits them alike, and the median round is
// shown. Client CPU per request (this process: the gateway and the host loop) is steadier than
// the rate on a shared machine. For the seed scenario the figure is the measured total minus d:
// what running the flow inside the loop costs beyond the wait itself.
//
//   build-bench/bench/bench_async [--requests N] [--window W] [--rounds R] [--seed-ms D]
//                                 [--seed-runs K] [--help]
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "jflow/async_flow.hpp"
#include "jflow/flow.hpp"
#include "jflow/reactor/epoll.hpp"
#include "measurement.hpp"
#ifdef JFLOW_HAVE_LIBUV
#include "jflow/reactor/libuv.hpp"
#endif

namespace jflow::bench {
namespace {

using namespace std::chrono;

struct Options {
  std::size_t requests = 20000;  // per round and driver
  std::size_t window = 64;       // requests in flight
  std::size_t rounds = 5;
  std::int64_t seed_ms = 1000;  // d of the seed scenario
  std::size_t seed_runs = 3;
  std::filesystem::path jflow_executable;
};

Request make_request() {
  Request request;
  Document doc;
  doc.id = "doc-0";
  doc.text = std::string(64, 'a');
  request.docs.push_back(std::move(doc));
  return request;
}

FlowOptions flow_options(const Options& options) {
  FlowOptions flow;
  flow.jflow_executable = options.jflow_executable;
  flow.max_in_flight = options.window;
  return flow;
}

FlowSpec pass_flow() {
  return FlowBuilder().add("pass", "_pass", Runtime::process).build();
}

// One timed round: wall time and this process's CPU.
struct Round {
  double seconds = 0;
  std::int64_t cpu_ns = 0;
};

// Every reply must be an intact success: a benchmark of failures measures nothing.
void check_reply(const Response& response, std::optional<std::string>& failure) {
  if (failure) return;
  if (!response.ok()) {
    failure = std::string(status_code_name(response.status().code)) + " from pod '" +
              response.status().pod + "': " + response.status().message;
  } else if (response.request.docs.size() != 1) {
    failure = "reply carried " + std::to_string(response.request.docs.size()) + " documents";
  }
}

template <typename Run>
Round timed(Run&& run) {
  std::int64_t cpu = process_cpu_ns(0);
  auto start = BenchClock::now();
  run();
  Round round;
  round.seconds = duration<double>(BenchClock::now() - start).count();
  round.cpu_ns = process_cpu_ns(0) - cpu;
  return round;
}

// Keeps `window` requests in flight on an AsyncFlow: each reply submits the next request.
struct AsyncDriver {
  AsyncDriver(AsyncFlow& f, const Request& r, std::size_t n) : flow(f), request(r), total(n) {}
  AsyncFlow& flow;
  const Request& request;
  std::size_t total;
  std::size_t sent = 0;
  std::size_t done = 0;
  std::optional<std::string> failure;

  void fill() {
    while (sent < total && !flow.at_capacity()) {
      ++sent;
      flow.submit(Request(request), [this](Response&& response) {
        check_reply(response, failure);
        ++done;
        fill();
      });
    }
  }
  bool finished() const { return done == total; }
};

// ---- the blocking Flow ----

Round run_sync(Flow& flow, const Request& request, std::size_t total) {
  std::optional<std::string> failure;
  Round round = timed([&] {
    for (std::size_t i = 0; i < total; ++i) {
      // Flow::submit waits for room when max_in_flight (the window) requests are in flight.
      flow.submit(Request(request), [&](Response&& response) { check_reply(response, failure); });
    }
    flow.wait_all();
  });
  if (failure) throw FlowError("sync: " + *failure);
  return round;
}

// ---- AsyncFlow on epoll ----

class EpollHost {
 public:
  explicit EpollHost(AsyncFlow& flow)
      : epoll_(epoll_create1(EPOLL_CLOEXEC)), attached_(epoll_, flow) {}
  ~EpollHost() { ::close(epoll_); }
  int fd() const { return epoll_; }

  // Runs the loop until done(); `on_other(fd)` handles the app's own fds.
  void run(const std::function<bool()>& done, const std::function<void(int)>& on_other = {}) {
    while (!done()) {
      epoll_event events[16];
      int n = epoll_wait(epoll_, events, 16, 10000);
      if (n == 0) throw FlowError("epoll: no event for 10 s");
      for (int i = 0; i < n; ++i) {
        if (attached_.owns(events[i])) {
          attached_.on_ready();
        } else if (on_other) {
          on_other(events[i].data.fd);
        }
      }
    }
  }

 private:
  int epoll_;
  reactor::EpollAttachment attached_;
};

// Starts the flow inside a host loop (anything with run(until)); throws its start error.
template <typename Host>
void start_on(AsyncFlow& flow, Host& host) {
  std::optional<FlowError> error;
  bool started = false;
  flow.start_async([&](const std::optional<FlowError>& e) {
    error = e;
    started = true;
  });
  host.run([&] { return started; });
  if (error) throw *error;
}

// One timed round of `total` requests kept in flight by callbacks inside the host loop.
template <typename Host>
Round run_on(AsyncFlow& flow, Host& host, const Request& request, std::size_t total,
             const std::string& loop_name) {
  AsyncDriver driver(flow, request, total);
  Round round = timed([&] {
    driver.fill();
    host.run([&] { return driver.finished(); });
  });
  if (driver.failure) throw FlowError(loop_name + ": " + *driver.failure);
  return round;
}

// A timerfd armed `after` from now, in the epoll set.
struct TimerFd {
  int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  TimerFd(int epoll) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
  }
  ~TimerFd() { ::close(fd); }
  void arm(milliseconds after) {
    itimerspec spec{};
    spec.it_value.tv_sec = after.count() / 1000;
    spec.it_value.tv_nsec = (after.count() % 1000) * 1'000'000;
    timerfd_settime(fd, 0, &spec, nullptr);
  }
};

// The seed scenario once: request and timer start together; returns total - d in ms.
double seed_epoll(AsyncFlow& flow, EpollHost& host, TimerFd& timer, milliseconds d) {
  bool replied = false, ticked = false;
  std::optional<std::string> failure;
  auto begin = BenchClock::now();
  BenchClock::time_point flow_end, timer_end;
  flow.submit(make_request(), [&](Response&& response) {
    check_reply(response, failure);
    flow_end = BenchClock::now();
    replied = true;
  });
  timer.arm(d);
  host.run([&] { return replied && ticked; },
           [&](int fd) {
             std::uint64_t count = 0;
             if (fd == timer.fd && ::read(fd, &count, sizeof count) > 0) {
               timer_end = BenchClock::now();
               ticked = true;
             }
           });
  if (failure) throw FlowError("seed (epoll): " + *failure);
  return duration<double, std::milli>(std::max(flow_end, timer_end) - begin - d).count();
}

// ---- AsyncFlow on libuv ----

#ifdef JFLOW_HAVE_LIBUV
class UvHost {
 public:
  explicit UvHost(AsyncFlow& flow) {
    uv_loop_init(&loop_);
    attached_.emplace(&loop_, flow);
    uv_check_init(&loop_, &check_);
    check_.data = this;
    uv_timer_init(&loop_, &timer_);
    timer_.data = this;
  }
  ~UvHost() {
    attached_.reset();
    uv_close(reinterpret_cast<uv_handle_t*>(&check_), nullptr);
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_loop_close(&loop_);
  }
  // Runs uv_run until done() holds (checked after each loop iteration).
  void run(std::function<bool()> done) {
    done_ = std::move(done);
    if (done_()) return;
    uv_check_start(&check_, [](uv_check_t* check) {
      if (static_cast<UvHost*>(check->data)->done_()) uv_stop(check->loop);
    });
    uv_run(&loop_, UV_RUN_DEFAULT);
    uv_check_stop(&check_);
    attached_->rethrow_if_failed();
  }
  void arm_timer(milliseconds after, std::function<void()> fired) {
    fired_ = std::move(fired);
    uv_update_time(&loop_);  // count from now, not from the loop's cached time
    uv_timer_start(
        &timer_, [](uv_timer_t* timer) { static_cast<UvHost*>(timer->data)->fired_(); },
        static_cast<std::uint64_t>(after.count()), 0);
  }

 private:
  uv_loop_t loop_{};
  uv_check_t check_{};
  uv_timer_t timer_{};
  std::optional<reactor::UvAttachment> attached_;
  std::function<bool()> done_;
  std::function<void()> fired_;
};

double seed_uv(AsyncFlow& flow, UvHost& host, milliseconds d) {
  bool replied = false, ticked = false;
  std::optional<std::string> failure;
  auto begin = BenchClock::now();
  BenchClock::time_point flow_end, timer_end;
  flow.submit(make_request(), [&](Response&& response) {
    check_reply(response, failure);
    flow_end = BenchClock::now();
    replied = true;
  });
  host.arm_timer(d, [&] {
    timer_end = BenchClock::now();
    ticked = true;
  });
  host.run([&] { return replied && ticked; });
  if (failure) throw FlowError("seed (libuv): " + *failure);
  return duration<double, std::milli>(std::max(flow_end, timer_end) - begin - d).count();
}
#endif

// ---- report ----

struct Series {
  std::string name;
  std::vector<Round> rounds;
  std::size_t requests = 0;

  std::vector<double> rates() const {
    std::vector<double> out;
    for (const Round& r : rounds) out.push_back(requests / r.seconds);
    std::sort(out.begin(), out.end());
    return out;
  }
  double median_rate() const {
    auto r = rates();
    return r.empty() ? 0.0 : r[r.size() / 2];
  }
  double spread() const {
    auto r = rates();
    return r.empty() ? 0.0 : (r.back() - r.front()) / median_rate();
  }
  double median_cpu_us() const {
    std::vector<double> cpu;
    for (const Round& r : rounds) cpu.push_back(r.cpu_ns / 1000.0 / requests);
    std::sort(cpu.begin(), cpu.end());
    return cpu.empty() ? 0.0 : cpu[cpu.size() / 2];
  }
};

void print_seed(const char* loop, std::vector<double> over) {
  std::sort(over.begin(), over.end());
  std::printf("  %-6s total - d: median %6.2f ms   (min %.2f, max %.2f over %zu runs)\n", loop,
              over[over.size() / 2], over.front(), over.back(), over.size());
}

int run(const Options& options) {
  const Request request = make_request();
  FlowOptions flow_opts = flow_options(options);

  Flow sync(pass_flow(), flow_opts);
  sync.start();
  AsyncFlow on_epoll(pass_flow(), flow_opts);
  EpollHost epoll_host(on_epoll);
  start_on(on_epoll, epoll_host);
  std::vector<Series> series{{"sync Flow", {}, options.requests},
                             {"AsyncFlow epoll", {}, options.requests}};
#ifdef JFLOW_HAVE_LIBUV
  AsyncFlow on_uv(pass_flow(), flow_opts);
  UvHost uv_host(on_uv);
  start_on(on_uv, uv_host);
  series.push_back({"AsyncFlow libuv", {}, options.requests});
#endif

  std::printf(
      "bench_async: 1 pod `_pass` (process pea, tcp 127.0.0.1), 1 doc of 64 B per request,\n"
      "%zu requests per round, window %zu, %zu rounds alternating; median round shown\n\n",
      options.requests, options.window, options.rounds);
  // A warm-up round each, untimed: connections, allocators and caches settle.
  run_sync(sync, request, options.requests / 10);
  run_on(on_epoll, epoll_host, request, options.requests / 10, "epoll");
#ifdef JFLOW_HAVE_LIBUV
  run_on(on_uv, uv_host, request, options.requests / 10, "libuv");
#endif
  for (std::size_t round = 0; round < options.rounds; ++round) {
    series[0].rounds.push_back(run_sync(sync, request, options.requests));
    series[1].rounds.push_back(run_on(on_epoll, epoll_host, request, options.requests, "epoll"));
#ifdef JFLOW_HAVE_LIBUV
    series[2].rounds.push_back(run_on(on_uv, uv_host, request, options.requests, "libuv"));
#endif
  }
  std::printf("%-16s  %9s  %7s  %18s  %8s\n", "driver", "req/s", "spread", "client cpu us/req",
              "vs sync");
  for (const Series& s : series) {
    std::printf("%-16s  %9.0f  %6.0f%%  %18.2f  %7.2fx\n", s.name.c_str(), s.median_rate(),
                100 * s.spread(), s.median_cpu_us(), s.median_rate() / series[0].median_rate());
  }
  sync.close();
  on_epoll.close();
#ifdef JFLOW_HAVE_LIBUV
  on_uv.close();
#endif

  // The seed scenario: one flow per loop whose pod waits d.
  const milliseconds d(options.seed_ms);
  FlowSpec wait_flow =
      FlowBuilder()
          .add("wait", "- !WaitDriver {duration: " + std::to_string(options.seed_ms) + "ms}")
          .build();
  std::printf("\nseed scenario: a %lld ms flow request and a %lld ms timer in one loop\n",
              static_cast<long long>(d.count()), static_cast<long long>(d.count()));
  {
    AsyncFlow flow(wait_flow, flow_opts);
    EpollHost host(flow);
    start_on(flow, host);
    TimerFd timer(host.fd());
    std::vector<double> over;
    for (std::size_t i = 0; i < options.seed_runs; ++i)
      over.push_back(seed_epoll(flow, host, timer, d));
    print_seed("epoll", over);
    flow.close();
  }
#ifdef JFLOW_HAVE_LIBUV
  {
    AsyncFlow flow(wait_flow, flow_opts);
    UvHost host(flow);
    start_on(flow, host);
    std::vector<double> over;
    for (std::size_t i = 0; i < options.seed_runs; ++i) over.push_back(seed_uv(flow, host, d));
    print_seed("libuv", over);
    flow.close();
  }
#endif
  return 0;
}

}  // namespace
}  // namespace jflow::bench

int main(int argc, char** argv) {
  jflow::bench::Options options;
  CLI::App app{
      "Benchmark: a 1-pod pass flow driven by the blocking Flow, AsyncFlow on epoll and AsyncFlow "
      "on libuv, and the seed scenario's overhead"};
  app.add_option("--requests", options.requests, "requests per round and driver")
      ->capture_default_str();
  app.add_option("--window", options.window, "requests in flight")->capture_default_str();
  app.add_option("--rounds", options.rounds, "rounds; the drivers alternate, the median is shown")
      ->capture_default_str();
  app.add_option("--seed-ms", options.seed_ms, "d of the seed scenario, in ms")
      ->capture_default_str();
  app.add_option("--seed-runs", options.seed_runs, "runs of the seed scenario per loop")
      ->capture_default_str();
  app.add_option("--jflow", options.jflow_executable,
                 "the jflow binary for process peas (default: found like FlowOptions does)");
  CLI11_PARSE(app, argc, argv);
  if (options.requests == 0 || options.window == 0 || options.rounds == 0 ||
      options.seed_runs == 0) {
    std::cerr << "--requests, --window, --rounds and --seed-runs must be at least 1\n";
    return 2;
  }
  try {
    return jflow::bench::run(options);
  } catch (const std::exception& e) {
    std::cerr << "bench_async: " << e.what() << "\n";
    return 1;
  }
}
