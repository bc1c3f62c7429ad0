// Attaching an AsyncFlow to a standalone Asio io_context. The flow's fd is wrapped in a
// posix::stream_descriptor (released, never closed, on destruction) and async_wait(wait_read)
// runs process() when it is readable.
//
// Asio's epoll reactor is edge-triggered and does not remember an edge that came while no wait
// was queued, so the attachment never relies on one: the next wait is queued before process()
// runs, and if process() leaves work ready (its budget ran out) a new pass is posted at once.
//
//   asio::io_context io;
//   jflow::reactor::AsioAttachment attached(io, flow);
//   flow.start_async(...);
//   io.run();   // the flow's callbacks run from here; their exceptions leave run(), as Asio's do
//
// Thread-safety: run the io_context on one thread, which must own the flow; the flow must
// outlive the attachment. It may be destroyed from inside a flow callback.
#pragma once

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <memory>

#include "jflow/async_flow.hpp"

namespace jflow::reactor {

class AsioAttachment {
 public:
  AsioAttachment(asio::io_context& io, AsyncFlow& flow)
      : state_(std::make_shared<State>(io, flow)) {
    arm(state_);
    // Work may already be ready (a reply that came before this attachment): look once now.
    asio::post(io, [state = state_] { pass(state); });
  }
  ~AsioAttachment() {
    state_->stopped = true;
    asio::error_code ignored;
    state_->descriptor.cancel(ignored);
    state_->descriptor.release();  // the fd belongs to the flow
  }
  AsioAttachment(const AsioAttachment&) = delete;
  AsioAttachment& operator=(const AsioAttachment&) = delete;

 private:
  // Shared with the queued handlers, which may outlive the attachment.
  struct State {
    State(asio::io_context& io, AsyncFlow& f) : descriptor(io, f.native_handle()), flow(f) {}
    asio::posix::stream_descriptor descriptor;
    AsyncFlow& flow;
    bool waiting = false;
    bool stopped = false;
  };

  static void arm(const std::shared_ptr<State>& state) {
    if (state->waiting || state->stopped) return;
    state->waiting = true;
    state->descriptor.async_wait(asio::posix::stream_descriptor::wait_read,
                                 [state](const asio::error_code& error) {
                                   state->waiting = false;
                                   if (!error) pass(state);
                                 });
  }

  static void pass(const std::shared_ptr<State>& state) {
    if (state->stopped) return;
    arm(state);  // queued first, so an exception from process() leaves the flow watched
    state->flow.process();
    if (!state->stopped && state->flow.next_timeout() == Duration::zero())
      asio::post(state->descriptor.get_executor(), [state] { pass(state); });
  }

  std::shared_ptr<State> state_;
};

}  // namespace jflow::reactor
