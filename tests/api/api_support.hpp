// Helpers for the client-API tests: an epoll host loop that counts wakes not caused by an fd, and
// a pair of drivers that count, at the pea, how many requests are inside a pod at once.
#pragma once

#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>

#include "jflow/async_flow.hpp"
#include "jflow/driver.hpp"
#include "jflow/reactor/epoll.hpp"

namespace jflow::api_test {

// A host loop owning an epoll set; run() returns once done() holds or `limit` passes. Every wake
// must come from a registered fd: a watchdog timeout is counted in watchdog_wakes.
struct EpollHost {
  int epoll = epoll_create1(EPOLL_CLOEXEC);
  int watchdog_wakes = 0;
  ~EpollHost() { ::close(epoll); }

  bool run(reactor::EpollAttachment& flow, const std::function<bool()>& done, Duration limit) {
    auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= give_up) return false;
      epoll_event events[8];
      int n = epoll_wait(epoll, events, 8, 5000);
      if (n == 0) ++watchdog_wakes;
      for (int i = 0; i < n; ++i) {
        if (flow.owns(events[i])) flow.on_ready();
      }
    }
    return true;
  }
};

inline bool start_in(EpollHost& host, reactor::EpollAttachment& attached, AsyncFlow& flow) {
  bool started = false;
  bool failed = false;
  flow.start_async([&](const std::optional<FlowError>& error) {
    started = true;
    failed = error.has_value();
  });
  return host.run(
             attached, [&] { return started; }, std::chrono::seconds(20)) &&
         !failed;
}

// How many requests are between CountIn and CountOut in a pod right now, and the most ever.
// Thread peas run these drivers on their own threads, hence the atomics.
struct InsideCounter {
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::atomic<int> entered{0};
};

class CountInDriver final : public Driver {
 public:
  explicit CountInDriver(InsideCounter& counter) : counter_(counter) {}
  std::string_view kind() const override { return "CountIn"; }
  DriverResult handle(Message&, const DriverContext&) override {
    int now = ++counter_.inside;
    ++counter_.entered;
    int most = counter_.most.load();
    while (now > most && !counter_.most.compare_exchange_weak(most, now)) {
    }
    return DriverResult::next();
  }

 private:
  InsideCounter& counter_;
};

class CountOutDriver final : public Driver {
 public:
  explicit CountOutDriver(InsideCounter& counter) : counter_(counter) {}
  std::string_view kind() const override { return "CountOut"; }
  DriverResult handle(Message&, const DriverContext&) override {
    --counter_.inside;
    return DriverResult::next();
  }

 private:
  InsideCounter& counter_;
};

// The built-in drivers plus CountIn / CountOut bound to `counter`.
inline DriverRegistry counting_drivers(InsideCounter& counter) {
  DriverRegistry registry = builtin_drivers();
  registry.add(DriverInfo{"CountIn", "counts requests entering the pod", {}},
               [&counter](DriverOptions& options) {
                 options.finish();
                 return std::make_unique<CountInDriver>(counter);
               });
  registry.add(DriverInfo{"CountOut", "counts requests leaving the pod", {}},
               [&counter](DriverOptions& options) {
                 options.finish();
                 return std::make_unique<CountOutDriver>(counter);
               });
  return registry;
}

// A pod that holds each request for `wait` between the two counters (the pea serves other
// requests meanwhile, so all requests sent to it are inside at once unless the client holds back).
inline const char* kCountedWait = "- !CountIn {}\n- !WaitDriver {duration: 40ms}\n- !CountOut {}";

}  // namespace jflow::api_test
