// The `--metrics` endpoint: one route over cpp-httplib, on two threads at most (a scraper asks
// rarely; nothing else is served here).
#include "serve/metrics_listener.hpp"

#include <stdexcept>

#include <httplib.h>

#include "serve/serve_http.hpp"

namespace jflow::serve {

MetricsListener::MetricsListener(const std::string& address, std::function<FlowMetrics()> source)
    : http_(std::make_unique<httplib::Server>()) {
  const auto [host, requested] = parse_http_address(address, "--metrics");
  http_->new_task_queue = [] { return new httplib::ThreadPool(2); };
  http_->Get("/metrics", [source](const httplib::Request&, httplib::Response& res) {
    res.set_content(prometheus_text(source()), kPrometheusContentType);
  });
  int port = requested;
  if (port == 0) {
    port = http_->bind_to_any_port(host);
  } else if (!http_->bind_to_port(host, port)) {
    port = -1;
  }
  if (port < 0) throw std::runtime_error("--metrics: cannot listen on '" + address + "'");
  url_ = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port) + "/metrics";
  listener_.start(*http_);
}

MetricsListener::~MetricsListener() {
  stop();
}

void MetricsListener::stop() {
  listener_.stop();
}

}  // namespace jflow::serve
