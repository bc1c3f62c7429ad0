// Flow: an AsyncFlow and its own loop. Every blocking call polls the AsyncFlow's fd and calls
// process() until what it waits for has happened.
#include "jflow/flow.hpp"

#include "jflow/async_flow.hpp"

namespace jflow {

// ---- the public Flow: an AsyncFlow and its own loop ----

Flow::Flow(FlowSpec spec, FlowOptions options)
    : async_(std::make_unique<AsyncFlow>(std::move(spec), std::move(options))) {}
Flow::~Flow() = default;

void Flow::start() {
  std::optional<FlowError> error;
  bool done = false;
  async_->start_async([&](const std::optional<FlowError>& e) {
    error = e;
    done = true;
  });
  while (!done) poll(std::chrono::seconds(1));
  if (error) throw *error;
}

std::string Flow::submit(Request request, ResponseCallback done, Duration timeout) {
  // The blocking form of back-pressure: wait for replies instead of refusing.
  while (async_->state() == AsyncFlow::State::running && async_->at_capacity())
    poll(std::chrono::milliseconds(50));
  return async_->submit(std::move(request), std::move(done), timeout);
}

std::size_t Flow::poll(Duration max_wait) {
  std::size_t ended = async_->process();
  if (ended > 0 || async_->state() == AsyncFlow::State::idle ||
      async_->state() == AsyncFlow::State::closed)
    return ended;
  wait_readable(async_->native_handle(), max_wait);
  return async_->process();
}

Response Flow::call(Request request, Duration timeout) {
  std::optional<Response> result;
  submit(
      std::move(request), [&result](Response&& r) { result = std::move(r); }, timeout);
  while (!result) poll(std::chrono::seconds(1));
  return std::move(*result);
}

void Flow::wait_all() {
  while (async_->in_flight() > 0) poll(std::chrono::seconds(1));
  poll(Duration::zero());  // deliver anything that ended without a round trip
}

void Flow::close() {
  async_->close();
}
int Flow::native_handle() const {
  return async_->native_handle();
}
std::size_t Flow::in_flight() const {
  return async_->in_flight();
}
std::vector<PeaStatus> Flow::status() const {
  return async_->status();
}

std::vector<PodHealth> Flow::health() const {
  return async_->health();
}
const std::vector<std::string>& Flow::close_problems() const {
  return async_->close_problems();
}
const FlowSpec& Flow::spec() const {
  return async_->spec();
}
FlowMetrics Flow::metrics() const {
  return async_->metrics();
}

}  // namespace jflow
