// The serving loop: one epoll set over the flow's fd, the ROUTER's ZMQ_FD and two eventfds.
#include "serve/serve_server.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <stdexcept>
#include <system_error>

#include "base/clock.hpp"
#include "serve/request_parameters.hpp"
#include "serve/serve_http.hpp"
#include "serve/serve_zmq.hpp"

namespace jflow::serve {

namespace {

constexpr Duration kHttpFallbackTimeout = std::chrono::seconds(60);

int make_eventfd() {
  const int fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
  return fd;
}

void watch(int epoll, int fd) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = fd;
  if (::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0)
    throw std::system_error(errno, std::generic_category(), "epoll_ctl");
}

void clear_eventfd(int fd) {
  std::uint64_t count = 0;
  [[maybe_unused]] auto n = ::read(fd, &count, sizeof count);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

int epoll_timeout_ms(std::optional<Duration> next, bool ready_now) {
  if (ready_now) return 0;
  if (!next) return 1000;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*next).count();
  if (ms <= 0) return next->count() > 0 ? 1 : 0;
  return ms > 1000 ? 1000 : static_cast<int>(ms);
}

}  // namespace

Response server_reply(RequestType type, StatusCode code, std::string message) {
  Response response;
  response.envelope.type = type;
  response.envelope.status = {code, std::move(message), kServerPod, ""};
  response.request.type = type;
  return response;
}

Server::Server(FlowSpec spec, ServeOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {
  epoll_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  stop_fd_ = make_eventfd();
  task_fd_ = make_eventfd();
  watch(epoll_, stop_fd_);
  watch(epoll_, task_fd_);
}

Server::~Server() {
  http_.reset();
  zmq_.reset();
  flow_.reset();
  close_fd(epoll_);
  close_fd(stop_fd_);
  close_fd(task_fd_);
}

void Server::stop() noexcept {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof one);
}

bool Server::post(std::function<void()> task) {
  {
    std::lock_guard lock(tasks_mutex_);
    if (!tasks_open_) return false;
    tasks_.push_back(std::move(task));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(task_fd_, &one, sizeof one);
  return true;
}

Duration Server::http_timeout() const {
  if (options_.request_timeout > Duration::zero()) return options_.request_timeout;
  if (spec_.request_timeout > Duration::zero()) return spec_.request_timeout;
  return kHttpFallbackTimeout;
}

bool Server::has_room() const {
  return backlog_.empty() && flow_ && !flow_->at_capacity();
}

bool ServerStatus::ready() const {
  if (state != "running") return false;
  for (const PodHealth& pod : health) {
    if (!pod.ready) return false;
  }
  return !health.empty();
}

std::string ServerStatus::not_ready_reason() const {
  if (state != "running") return "the flow is " + state;
  std::string why;
  for (const PodHealth& pod : health) {
    if (pod.ready) continue;
    why += (why.empty() ? "" : "; ") + ("pod '" + pod.pod + "' cannot serve: " + pod.why);
  }
  return why;
}

FlowMetrics Server::metrics() const {
  return flow_ ? flow_->metrics() : FlowMetrics{};
}

ServerStatus Server::status() const {
  ServerStatus status;
  status.state = closed_ ? "closed" : closing_ ? "closing" : "running";
  status.pods = spec_.pods.size();
  if (flow_) {
    status.peas = flow_->status();
    status.health = flow_->health();
  }
  status.in_flight = accepted_in_flight_;
  status.served = served_;
  status.failed = failed_;
  status.undeliverable = zmq_ ? zmq_->undeliverable() : 0;
  return status;
}

void Server::finish(ReplyCallback& reply, Response&& response) {
  --accepted_in_flight_;
  ++served_;
  if (!response.ok()) ++failed_;
  reply(std::move(response));
}

void Server::accept(Request request, std::int64_t deadline_ns, ReplyCallback reply, bool http) {
  ++accepted_in_flight_;
  const RequestType type = request.type;
  if (closing_) {
    finish(reply, server_reply(type, StatusCode::closed, kClosingMessage));
    return;
  }
  if (type == RequestType::control) {
    const auto command = request.parameters.find("command");
    const std::string* name =
        command == request.parameters.end() ? nullptr : std::get_if<std::string>(&command->second);
    if (!name || *name != "ping") {
      finish(reply, server_reply(type, StatusCode::bad_request,
                                 "control request: parameters.command must be \"ping\""));
      return;
    }
    const ServerStatus now = status();
    Response pong = server_reply(type, StatusCode::ok, "");
    std::int64_t alive = 0;
    for (const PeaStatus& pea : now.peas) alive += pea.alive ? 1 : 0;
    pong.request.parameters = {{"state", now.state},
                               {"pods", static_cast<std::int64_t>(now.pods)},
                               {"peas", static_cast<std::int64_t>(now.peas.size())},
                               {"peas_alive", alive},
                               {"in_flight", static_cast<std::int64_t>(now.in_flight - 1)},
                               {"served", static_cast<std::int64_t>(now.served)},
                               {"ready", static_cast<std::int64_t>(now.ready() ? 1 : 0)},
                               {"not_ready", now.not_ready_reason()}};
    finish(reply, std::move(pong));
    return;
  }
  if (const std::string refusal = check_request_parameters(request); !refusal.empty()) {
    finish(reply, server_reply(type, StatusCode::bad_request, refusal));
    return;
  }
  Duration timeout = Duration::zero();
  if (deadline_ns != 0) {
    timeout = Duration(deadline_ns - unix_now_ns());
    if (timeout <= Duration::zero()) {
      finish(reply, server_reply(type, StatusCode::timeout,
                                 "the request's deadline passed before the flow got it"));
      return;
    }
  } else if (http) {
    timeout = http_timeout();
  } else {
    timeout = options_.request_timeout;  // zero: the spec's request_timeout
  }
  if (!has_room()) {
    backlog_.push_back({std::move(request), timeout, std::move(reply)});
    return;
  }
  submit_now(std::move(request), timeout, std::move(reply));
}

void Server::submit_now(Request request, Duration timeout, ReplyCallback reply) {
  const RequestType type = request.type;
  // Shared, so that the refusal below can still answer if submit() throws after taking the
  // callback.
  auto answer = std::make_shared<ReplyCallback>(std::move(reply));
  try {
    flow_->submit(
        std::move(request),
        [this, answer](Response&& response) { finish(*answer, std::move(response)); }, timeout);
  } catch (const FlowError& e) {
    finish(*answer, server_reply(type, StatusCode::closed, e.what()));
  }
}

void Server::pump_backlog() {
  while (!backlog_.empty() && !flow_->at_capacity() &&
         flow_->state() == AsyncFlow::State::running) {
    Backlogged next = std::move(backlog_.front());
    backlog_.pop_front();
    submit_now(std::move(next.request), next.timeout, std::move(next.reply));
  }
}

void Server::run_tasks() {
  clear_eventfd(task_fd_);
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(tasks_mutex_);
    tasks.swap(tasks_);
  }
  for (auto& task : tasks) task();
}

void Server::begin_closing() {
  closing_ = true;
}

void Server::serve(const std::function<void(const Endpoints&)>& on_ready) {
  flow_ = std::make_unique<AsyncFlow>(spec_, options_.flow);
  watch(epoll_, flow_->native_handle());
  std::optional<FlowError> start_error;
  bool started = false;
  flow_->start_async([&](const std::optional<FlowError>& error) {
    started = true;
    start_error = error;
  });
  epoll_event events[8];
  while (!started) {
    const int n = ::epoll_wait(epoll_, events, 8, epoll_timeout_ms(flow_->next_timeout(), false));
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd != stop_fd_) continue;
      clear_eventfd(stop_fd_);
      begin_closing();  // the start goes on; the loop then closes at once
    }
    flow_->process();
  }
  if (start_error) throw *start_error;
  Endpoints endpoints;
  try {
    if (options_.zmq_address != "off") {
      zmq_ = std::make_unique<ZmqFront>(*this, options_.zmq_address, options_.zmq_key,
                                        options_.zmq_allowed, options_.zmq_reply_queue,
                                        options_.zmq_max_message_bytes,
                                        options_.zmq_requests_per_client);
      watch(epoll_, zmq_->fd());
      endpoints.zmq = zmq_->endpoint();
    }
    {
      std::lock_guard lock(tasks_mutex_);
      tasks_open_ = true;
    }
    if (options_.http_address != "off") {
      http_ = std::make_unique<HttpFront>(*this, options_.http_address, options_.http);
      endpoints.http = http_->url();
    }
  } catch (...) {
    {
      std::lock_guard lock(tasks_mutex_);
      tasks_open_ = false;
    }
    http_.reset();
    zmq_.reset();
    flow_->close();
    throw;
  }
  if (on_ready) on_ready(endpoints);
  run_loop();
  // The flow is closed: no task can run any more. Handlers still waiting are answered by their
  // own refusal path (post() returns false from now on); queued tasks run here and see closing.
  {
    std::lock_guard lock(tasks_mutex_);
    tasks_open_ = false;
  }
  run_tasks();
  if (http_) http_->stop();
  http_.reset();
  zmq_.reset();  // closes the ROUTER with a linger, so the last replies go out
}

void Server::run_loop() {
  epoll_event events[16];
  bool zmq_waiting = false;
  while (!closed_) {
    const int timeout = epoll_timeout_ms(flow_->next_timeout(), zmq_waiting);
    const int n = ::epoll_wait(epoll_, events, 16, timeout);
    if (n < 0 && errno != EINTR) throw std::system_error(errno, std::generic_category(), "epoll");
    for (int i = 0; i < n; ++i) {
      if (events[i].data.fd == stop_fd_) {
        clear_eventfd(stop_fd_);
        begin_closing();
      }
    }
    run_tasks();
    flow_->process();
    pump_backlog();
    zmq_waiting = zmq_ && zmq_->pump();
    if (closing_ && !close_started_ && backlog_.empty()) {
      close_started_ = true;
      flow_->close_async([this] { closed_ = true; });
    }
  }
  // Anything a front handed over after the flow stopped taking requests is refused.
  run_tasks();
  if (zmq_) zmq_->pump();
}

}  // namespace jflow::serve
