// AsyncFlow: a thin owner of FlowCore (flow/flow_core.hpp) and of the client calls that wait for
// room in the flow (flow/request_stream.hpp); and wait_readable(), the blocking Flow's loop.
#include "jflow/async_flow.hpp"

#include <poll.h>

#include <algorithm>

#include "flow/flow_core.hpp"
#include "flow/request_stream.hpp"
#include "jflow/log.hpp"

namespace jflow {

AsyncFlow::AsyncFlow(FlowSpec spec, FlowOptions options)
    : core_(std::make_unique<detail::FlowCore>(std::move(spec), std::move(options))),
      streams_(std::make_unique<detail::StreamScheduler>()) {}

AsyncFlow::~AsyncFlow() {
  try {
    close();
  } catch (const std::exception& e) {
    log("flow", LogLevel::error, std::string("closing the flow failed: ") + e.what());
  }
}

void AsyncFlow::start_async(StartedCallback on_started) {
  core_->start_async(std::move(on_started));
}
void AsyncFlow::close_async(ClosedCallback on_closed) {
  core_->close_async(std::move(on_closed));
}
std::string AsyncFlow::submit(Request request, ResponseCallback done, Duration timeout) {
  return core_->submit(std::move(request), std::move(done), timeout);
}
int AsyncFlow::native_handle() const {
  return core_->native_handle();
}
std::size_t AsyncFlow::process(std::size_t budget) {
  if (streams_->resuming()) throw FlowError("process: re-entered from inside a flow callback");
  std::size_t ended = core_->process(budget);
  // Requests ended just now: client calls that waited for room in the flow send their next ones
  // (or, if the flow is closing, end what they could not send).
  streams_->resume();
  return ended;
}
std::optional<Duration> AsyncFlow::next_timeout() const {
  return core_->next_timeout();
}

void AsyncFlow::close() {
  if (state() == State::closed) return;
  core_->adopt_current_thread();
  core_->close_async({});
  while (state() != State::closed) {
    wait_readable(native_handle(), std::chrono::seconds(1));
    core_->process(AsyncFlow::kUnlimited);
    streams_->resume();
  }
}

AsyncFlow::State AsyncFlow::state() const {
  using Phase = detail::FlowCore::Phase;
  switch (core_->phase()) {
    case Phase::idle:
      return State::idle;
    case Phase::starting:
      return State::starting;
    case Phase::running:
      return State::running;
    case Phase::closing:
    case Phase::stopping:
      return State::closing;
    case Phase::closed:
      break;
  }
  return State::closed;
}

bool AsyncFlow::at_capacity() const {
  return core_->at_capacity();
}
std::size_t AsyncFlow::in_flight() const {
  return core_->in_flight();
}
std::vector<PeaStatus> AsyncFlow::status() const {
  return core_->status();
}

std::vector<PodHealth> AsyncFlow::health() const {
  return core_->health();
}
const std::vector<std::string>& AsyncFlow::close_problems() const {
  return core_->close_problems();
}
const FlowSpec& AsyncFlow::spec() const {
  return core_->spec();
}
FlowMetrics AsyncFlow::metrics() const {
  return core_->metrics();
}

bool wait_readable(int fd, Duration max_wait) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(max_wait).count();
  pollfd item{fd, POLLIN, 0};
  int n = ::poll(&item, 1, static_cast<int>(std::min<long long>(ms, 1 << 30)));
  return n > 0;
}

}  // namespace jflow
