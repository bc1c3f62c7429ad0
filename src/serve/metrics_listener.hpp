// MetricsListener: a small HTTP endpoint that answers GET /metrics with a flow's metrics in the
// Prometheus text format — what `jflow run --metrics HOST:PORT` starts beside a flow that is not
// served (a served flow has /metrics on its HTTP endpoint already). It listens on a thread of
// its own and reads the metrics through `source`, which must be safe to call from that thread
// (Flow::metrics() is).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "jflow/metrics.hpp"
#include "serve/http_listen_thread.hpp"

namespace httplib {
class Server;
}

namespace jflow::serve {

inline constexpr const char* kPrometheusContentType = "text/plain; version=0.0.4; charset=utf-8";

class MetricsListener {
 public:
  // Binds "HOST:PORT" (port 0: any free port). Throws std::invalid_argument for a malformed
  // address and std::runtime_error when it cannot be bound, both naming `--metrics` and it.
  MetricsListener(const std::string& address, std::function<FlowMetrics()> source);
  ~MetricsListener();  // stop()
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  const std::string& url() const { return url_; }  // http://HOST:PORT/metrics, the port bound
  void stop();

 private:
  std::unique_ptr<httplib::Server> http_;
  HttpListenThread listener_;
  std::string url_;
};

}  // namespace jflow::serve
