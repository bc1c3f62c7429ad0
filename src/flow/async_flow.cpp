// The fd machinery behind AsyncFlow: one epoll set that the host loop watches, process() that
// advances whatever is ready, and the re-arm after it that keeps the fd honest despite libzmq's
// edge-triggered ZMQ_FD. Also the public AsyncFlow, a thin owner of FlowCore.
#include "jflow/async_flow.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <iostream>
#include <system_error>

#include "flow/flow_impl.hpp"
#include "flow/request_stream.hpp"

namespace jflow::detail {
namespace {

// How often pea processes are checked for exit and missed heartbeats.
constexpr auto kHealthInterval = std::chrono::milliseconds(50);
// While starting or stopping, peas are checked for exit and timeouts this often.
constexpr auto kStartCheck = std::chrono::milliseconds(20);
constexpr auto kStopCheck = std::chrono::milliseconds(10);

int checked(int result, const char* what) {
  if (result < 0) throw std::system_error(errno, std::generic_category(), what);
  return result;
}

void epoll_add(int epoll, int fd) {
  epoll_event event{};
  event.events = EPOLLIN;  // level-triggered: the host's fd stays readable while any member is
  event.data.fd = fd;
  checked(epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event), "epoll_ctl(ADD)");
}

// Empties an eventfd or timerfd so it stops making the epoll set readable.
void drain(int fd) {
  std::uint64_t count = 0;
  while (::read(fd, &count, sizeof count) == static_cast<ssize_t>(sizeof count)) {
  }
}

bool has_events(std::optional<zmq::socket_t>& socket, int flag) {
  // Reading ZMQ_EVENTS makes libzmq process the socket's pending commands, which is what resets
  // its ZMQ_FD; so it is read on every socket, whether or not we need the answer.
  return socket && (socket->get(zmq::sockopt::events) & flag) != 0;
}

}  // namespace

OwnedFd::~OwnedFd() {
  if (fd_ >= 0) ::close(fd_);
}

FlowCore::FlowCore(FlowSpec spec, FlowOptions options)
    : spec_(std::move(spec)),
      options_(std::move(options)),
      epoll_(checked(epoll_create1(EPOLL_CLOEXEC), "epoll_create1")),
      wake_(checked(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC), "eventfd")),
      timer_(checked(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC), "timerfd")),
      owner_(std::this_thread::get_id()) {
  if (options_.max_in_flight == 0) options_.max_in_flight = spec_.max_in_flight;
  epoll_add(epoll_.get(), wake_.get());
  epoll_add(epoll_.get(), timer_.get());
}

FlowCore::~FlowCore() = default;

void FlowCore::watch(zmq::socket_t& socket) {
  epoll_add(epoll_.get(), socket.get(zmq::sockopt::fd));
}

void FlowCore::unwatch(zmq::socket_t& socket) {
  epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, socket.get(zmq::sockopt::fd), nullptr);
}

void FlowCore::check_owner(const char* what) const {
  if (std::this_thread::get_id() != owner_) {
    throw FlowError(std::string(what) +
                    ": called from a thread that does not own the flow (a flow belongs to the "
                    "thread that started it)");
  }
}

std::size_t FlowCore::process(std::size_t budget) {
  check_owner("process");
  if (in_process_) throw FlowError("process: re-entered from inside a flow callback");
  in_process_ = true;
  std::uint64_t before = ended_count_;
  try {
    drain(wake_.get());
    wake_pending_ = false;
    drain(timer_.get());
    SteadyTime now = steady_now();
    pump_daemons(now);
    switch (phase_) {
      case Phase::starting:
        step_start(now);
        break;
      case Phase::running:
      case Phase::closing:
        drain_control();
        flush_outbox();
        read_results(budget);
        expire_deadlines();
        if (now >= next_health_check_) {
          check_health();
          next_health_check_ = steady_now() + kHealthInterval;
        }
        if (phase_ == Phase::closing) step_close(now);
        break;
      case Phase::stopping:
        if (results_) read_results(kUnlimitedBudget);  // late replies; nobody waits for them
        step_stop(now);
        break;
      case Phase::idle:
      case Phase::closed:
        break;
    }
    std::uint64_t ended = ended_count_ - before;
    fire_ready_callbacks(budget > ended ? budget - ended : 0);
  } catch (...) {
    in_process_ = false;
    rearm();
    throw;
  }
  in_process_ = false;
  rearm();
  return ended_count_ - before;
}

bool FlowCore::has_ready_work() {
  bool control = has_events(control_, ZMQ_POLLIN);
  bool results = has_events(results_, ZMQ_POLLIN);
  bool gateway = has_events(gateway_, ZMQ_POLLOUT);
  bool daemons = false;
  for (auto& [address, link] : daemons_) {
    // Both read, for their ZMQ_FD edges' sake (see has_events).
    const bool message = (link->socket().get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
    const bool event = (link->monitor().get(zmq::sockopt::events) & ZMQ_POLLIN) != 0;
    daemons |= message || event;
  }
  if (!ready_.empty() || control || daemons) return true;
  if (phase_ == Phase::running || phase_ == Phase::closing || phase_ == Phase::stopping) {
    if (results) return true;
  }
  return gateway && !outbox_.empty();
}

std::optional<SteadyTime> FlowCore::next_wakeup() const {
  switch (phase_) {
    case Phase::starting:
      return steady_now() + kStartCheck;
    case Phase::running:
    case Phase::closing: {
      SteadyTime wake = next_health_check_;
      if (auto deadline = pending_.next_deadline(); deadline && *deadline < wake) wake = *deadline;
      if (phase_ == Phase::closing && close_give_up_ < wake) wake = close_give_up_;
      return wake;
    }
    case Phase::stopping:
      return steady_now() + kStopCheck;
    case Phase::idle:
    case Phase::closed:
      break;
  }
  return std::nullopt;
}

// After anything that touched the sockets: if work is ready that no ZMQ_FD edge will announce,
// make the eventfd readable; arm the timerfd for the next timed step. This runs after every
// submit, so it avoids system calls that change nothing: the eventfd is written once until
// process() drains it, and the timerfd is re-armed only when the next wake moves earlier or the
// armed time has passed (a wake that moved later just fires early once; process() then finds
// nothing due and arms the real time).
void FlowCore::rearm() {
  work_ready_ = has_ready_work();
  signal_and_arm();
}

// A submit sent on (or queued for) the gateway and nothing else: the control and results sockets
// were not touched, so their ZMQ_FD edges and the last re-arm's verdict on them still hold;
// reading their ZMQ_EVENTS again (a poll() system call each) would change nothing. Only a queued
// request needs the gateway's writability; and the new deadline may be the earliest.
void FlowCore::rearm_after_submit() {
  if (!outbox_.empty() && has_events(gateway_, ZMQ_POLLOUT)) work_ready_ = true;
  signal_and_arm();
}

void FlowCore::signal_and_arm() {
  if (work_ready_ && !wake_pending_) {
    std::uint64_t one = 1;
    if (::write(wake_.get(), &one, sizeof one) < 0 && errno != EAGAIN)
      throw std::system_error(errno, std::generic_category(), "eventfd write");
    wake_pending_ = true;
  }
  std::optional<SteadyTime> when = next_wakeup();
  SteadyTime now = steady_now();
  if (when && timer_armed_ && *timer_armed_ <= *when && *timer_armed_ > now) return;
  if (!when && !timer_armed_) return;
  itimerspec spec{};  // all zero: disarmed
  if (when) {
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(*when - now);
    if (left.count() <= 0) left = std::chrono::nanoseconds(1);  // due now; zero would disarm
    spec.it_value.tv_sec = static_cast<time_t>(left.count() / 1'000'000'000);
    spec.it_value.tv_nsec = static_cast<long>(left.count() % 1'000'000'000);
  }
  checked(timerfd_settime(timer_.get(), 0, &spec, nullptr), "timerfd_settime");
  timer_armed_ = when;
}

std::optional<Duration> FlowCore::next_timeout() const {
  if (work_ready_) return Duration::zero();
  auto when = next_wakeup();
  if (!when) return std::nullopt;
  auto left = std::chrono::duration_cast<Duration>(*when - steady_now());
  return left > Duration::zero() ? left : Duration::zero();
}

}  // namespace jflow::detail

namespace jflow {

AsyncFlow::AsyncFlow(FlowSpec spec, FlowOptions options)
    : core_(std::make_unique<detail::FlowCore>(std::move(spec), std::move(options))),
      streams_(std::make_unique<detail::StreamScheduler>()) {}

AsyncFlow::~AsyncFlow() {
  try {
    close();
  } catch (const std::exception& e) {
    std::cerr << "jflow: closing the flow failed: " << e.what() << "\n";
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
const std::vector<std::string>& AsyncFlow::close_problems() const {
  return core_->close_problems_;
}
const FlowSpec& AsyncFlow::spec() const {
  return core_->spec_;
}

bool wait_readable(int fd, Duration max_wait) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(max_wait).count();
  pollfd item{fd, POLLIN, 0};
  int n = ::poll(&item, 1, static_cast<int>(std::min<long long>(ms, 1 << 30)));
  return n > 0;
}

}  // namespace jflow
