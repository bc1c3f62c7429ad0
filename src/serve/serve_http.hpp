// HttpFront: the served flow's HTTP/JSON endpoint (cpp-httplib). POST /index and /search take
// {"data": [...]} or {"docs": [...]} and answer with the documents; GET /status and /health report
// on the server, GET /metrics the flow's metrics (Prometheus text). Handlers run on httplib's
// threads: they hand each request to the server's loop thread (Server::post) and wait for its
// reply, which always comes (the request's deadline bounds it); shapes and codes are in
// docs/SERVING.md.
#pragma once

#include <memory>
#include <string>

#include "serve/http_listen_thread.hpp"
#include "serve/serve_server.hpp"

namespace httplib {
class Server;
}

namespace jflow::serve {

class Server;

struct HttpAddress {
  std::string host;  // without brackets for IPv6
  int port = 0;      // 0: any free port
};
// "HOST:PORT" (an http:// prefix and [IPv6] brackets allowed); throws std::invalid_argument
// whose message starts with `option`, the flag the address came from.
HttpAddress parse_http_address(const std::string& address, const std::string& option = "--http");

class HttpFront {
 public:
  // Binds "HOST:PORT" (port 0: any free port) and starts listening on a thread of its own.
  // Throws std::runtime_error naming the address when it is malformed or cannot be bound.
  HttpFront(Server& server, const std::string& address, const HttpLimits& limits = {});
  ~HttpFront();  // stop()

  const std::string& url() const { return url_; }  // http://HOST:PORT, the port really bound
  void stop();  // stops listening, lets running handlers finish, joins the threads

 private:
  void routes();

  Server& server_;
  std::unique_ptr<httplib::Server> http_;
  HttpListenThread listener_;
  std::string url_;
};

}  // namespace jflow::serve
