// The HTTP endpoint: JSON in, a request per request_size documents into the server's loop, JSON
// out. Nothing here touches the flow: that is the loop thread's.
#include "serve/serve_http.hpp"

#include <algorithm>
#include <functional>
#include <future>
#include <optional>
#include <stdexcept>

#include <httplib.h>

#include "base/text.hpp"
#include "jflow/metrics.hpp"
#include "serve/http_connections.hpp"
#include "serve/metrics_listener.hpp"
#include "serve/serve_json.hpp"
#include "serve/serve_server.hpp"
#include "wire/traceparent.hpp"

namespace jflow::serve {

namespace {

// A handler waits this long beyond the request's own deadline (by which the flow always answers).
constexpr Duration kHandlerSlack = std::chrono::seconds(5);

int http_code(StatusCode code) {
  switch (code) {
    case StatusCode::ok:
      return 200;
    case StatusCode::bad_request:
      return 400;
    case StatusCode::timeout:
      return 504;
    case StatusCode::closed:
      return 503;
    default:
      return 500;
  }
}

void reply(httplib::Response& res, int code, const std::string& body) {
  res.status = code;
  // A 503 is the server closing or full: a client may try again (elsewhere, or after a restart).
  if (code == 503) res.set_header("Retry-After", "1");
  res.set_content(body, "application/json");
}

// 405 for a known path asked with another method, naming the one it takes.
httplib::Server::Handler method_not_allowed(const char* allowed) {
  return [allowed](const httplib::Request& req, httplib::Response& res) {
    res.set_header("Allow", allowed);
    reply(res, 405,
          error_json("bad_request", req.path + " takes " + allowed + ", not " + req.method));
  };
}

// The responses of one HTTP call's requests, in order; completed on the loop thread.
struct Batch {
  std::vector<std::optional<Response>> slots;
  std::size_t left = 0;
  std::promise<std::vector<Response>> done;

  void complete(std::size_t i, Response&& response) {
    slots[i] = std::move(response);
    if (--left > 0) return;
    std::vector<Response> all;
    for (auto& slot : slots) all.push_back(std::move(*slot));
    done.set_value(std::move(all));
  }
};

}  // namespace

HttpAddress parse_http_address(const std::string& address, const std::string& option) {
  std::string where = address;
  if (where.rfind("http://", 0) == 0) where = where.substr(7);
  const std::size_t colon = where.rfind(':');
  std::optional<int> port;
  if (colon != std::string::npos && colon > 0) {
    port = parse_integer<int>(std::string_view(where).substr(colon + 1));
  }
  if (!port || *port < 0 || *port > 65535)
    throw std::invalid_argument(option + ": expected HOST:PORT (or off), got '" + address + "'");
  std::string host = where.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host, *port};
}

HttpFront::HttpFront(Server& server, const std::string& address, const HttpLimits& limits)
    : server_(server) {
  auto guarded = std::make_unique<GuardedHttpServer>(limits);
  GuardedHttpServer& connections = *guarded;
  http_ = std::move(guarded);
  const auto [host, requested] = parse_http_address(address);
  int port = requested;
  // Timeouts, keep-alive and the connection cap are GuardedHttpServer's (http_connections.hpp).
  http_->set_payload_max_length(limits.max_body_bytes);
  const std::size_t max_body = limits.max_body_bytes;
  // cpp-httplib answers some errors itself with an empty body; every reply here is JSON.
  http_->set_error_handler([max_body](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 413) {
      reply(res, 413,
            error_json("bad_request", "the body is larger than the limit of " +
                                          std::to_string(max_body) + " bytes (max_body_bytes)"));
    } else if (res.status == 404) {
      reply(res, 404,
            error_json("not_found",
                       "no endpoint " + req.method + " " + req.path +
                           " (POST /index, /search, /train; GET /livez, /readyz, /health, /status,"
                           " /metrics)"));
    } else {
      reply(res, res.status, error_json("error", "HTTP status " + std::to_string(res.status)));
    }
  });
  routes();
  if (port == 0) {
    port = http_->bind_to_any_port(host);
    if (port < 0) throw std::runtime_error("cannot bind the HTTP endpoint '" + address + "'");
  } else if (!http_->bind_to_port(host, port)) {
    throw std::runtime_error("cannot bind the HTTP endpoint '" + address + "'");
  }
  connections.widen_backlog();
  url_ = "http://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
  listener_.start(*http_);
}

HttpFront::~HttpFront() {
  stop();
}

void HttpFront::stop() {
  listener_.stop();
}

void HttpFront::routes() {
  const auto query = [this](RequestType type) {
    return [this, type](const httplib::Request& req, httplib::Response& res) {
      if (server_.closing()) return reply(res, 503, error_json("closed", kClosingMessage));
      HttpQuery parsed;
      try {
        parsed = parse_query(req.body);
      } catch (const JsonError& e) {
        return reply(res, 400, error_json("bad_request", e.what()));
      }
      // One trace per HTTP call: its requests share the caller's traceparent, or a new one.
      std::string trace = req.get_header_value("traceparent");
      if (trace.empty()) {
        trace = new_traceparent();
      } else if (auto problem = traceparent_problem(trace)) {
        return reply(res, 400, error_json("bad_request", "traceparent header: " + *problem));
      }
      res.set_header("traceparent", trace);
      auto requests = std::make_shared<std::vector<Request>>();
      for (Document& doc : parsed.docs) {
        if (requests->empty() || requests->back().docs.size() >= parsed.request_size) {
          requests->push_back(Request{type, {}, {}, trace});
          if (parsed.top_k > 0) requests->back().parameters["top_k"] = parsed.top_k;
        }
        requests->back().docs.push_back(std::move(doc));
      }
      auto batch = std::make_shared<Batch>();
      batch->slots.resize(requests->size());
      batch->left = requests->size();
      std::future<std::vector<Response>> answer = batch->done.get_future();
      if (requests->empty()) batch->done.set_value({});
      const bool posted = requests->empty() || server_.post([this, requests, batch] {
        for (std::size_t i = 0; i < requests->size(); ++i) {
          server_.accept(
              std::move((*requests)[i]), 0,
              [batch, i](Response&& response) { batch->complete(i, std::move(response)); }, true);
        }
      });
      if (!posted) return reply(res, 503, error_json("closed", kClosingMessage));
      if (answer.wait_for(server_.http_timeout() + kHandlerSlack) != std::future_status::ready) {
        return reply(res, 504, error_json("timeout", "no reply from the flow in time"));
      }
      std::vector<Response> responses = answer.get();
      StatusCode code = StatusCode::ok;
      for (const Response& response : responses) {
        if (!response.ok()) {
          code = response.status().code;
          break;
        }
      }
      reply(res, http_code(code), responses_json(responses));
    };
  };
  for (const auto& [path, type] :
       {std::pair{"/index", RequestType::index}, std::pair{"/search", RequestType::search},
        std::pair{"/train", RequestType::train}}) {
    http_->Post(path, query(type));
    http_->Get(path, method_not_allowed("POST"));
    http_->Put(path, method_not_allowed("POST"));
    http_->Delete(path, method_not_allowed("POST"));
  }
  for (const char* path : {"/health", "/status", "/livez", "/readyz", "/metrics"}) {
    http_->Post(path, method_not_allowed("GET"));
    http_->Put(path, method_not_allowed("GET"));
    http_->Delete(path, method_not_allowed("GET"));
  }
  // Liveness: this process answers HTTP. Nothing about the flow: a flow that restarts a pea is
  // alive (restarting the server would not help it); /readyz says whether it can serve.
  http_->Get("/livez", [](const httplib::Request&, httplib::Response& res) {
    reply(res, 200, R"({"live":true})");
  });
  // The metrics are read under their own lock, not on the loop thread: a scrape never waits
  // behind the flow's work.
  http_->Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(prometheus_text(server_.metrics()), kPrometheusContentType);
  });
  // The flow's state is the loop thread's: ask it there, answering for it if it has ended.
  const auto with_status =
      [this](std::function<void(const ServerStatus&, httplib::Response&)> answer_with) {
        return [this, answer_with](const httplib::Request&, httplib::Response& res) {
          auto snapshot = std::make_shared<std::promise<ServerStatus>>();
          std::future<ServerStatus> answer = snapshot->get_future();
          if (!server_.post([this, snapshot] { snapshot->set_value(server_.status()); })) {
            return reply(res, 503,
                         R"({"ready":false,"state":"closed","why":"the flow is closed"})");
          }
          if (answer.wait_for(kHandlerSlack) != std::future_status::ready) {
            return reply(res, 504, error_json("timeout", "the server did not answer in time"));
          }
          answer_with(answer.get(), res);
        };
      };
  // Readiness (and /health, the same question under its older name): 200 when every pod has
  // the peas it needs and the flow accepts requests; else 503 naming the pods and why.
  const auto readiness = [](const ServerStatus& status, httplib::Response& res) {
    reply(res, status.ready() ? 200 : 503, readiness_json(status));
  };
  http_->Get("/readyz", with_status(readiness));
  http_->Get("/health", with_status(readiness));
  http_->Get("/status", with_status([](const ServerStatus& status, httplib::Response& res) {
               reply(res, status.ready() ? 200 : 503, status_json(status));
             }));
}

}  // namespace jflow::serve
