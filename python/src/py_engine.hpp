// _jflow.Engine: a jflow::AsyncFlow as Python drives it. The asyncio layer (jflow/_asyncio.py)
// watches fd() with loop.add_reader and calls process(); the sync Flow calls the blocking forms
// (start, wait, close), which wait on the fd with the GIL released and run process() with it.
// Either way every callback runs on the thread that owns the flow, with the GIL held.
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <vector>

#include "jflow/async_flow.hpp"
#include "py_call.hpp"

namespace jflow::python {

namespace py = pybind11;

class Engine {
 public:
  explicit Engine(FlowSpec spec);
  ~Engine();

  int fd() const { return flow_->native_handle(); }
  // Ready work and callbacks, then lets every unfinished call send what now fits.
  std::size_t process();
  std::optional<double> next_timeout() const;  // seconds; None when nothing is timed

  void start_async(py::object on_started);  // on_started(None | error message)
  void start();                             // blocking; raises FlowError
  void close_async(py::object on_closed);   // on_closed()
  void close();                             // blocking

  std::shared_ptr<Call> call(DocumentSource source, CallOptions options);
  // Blocks until `call` has ended. Ctrl-C cancels it (its requests end as closed) and raises.
  void wait(const std::shared_ptr<Call>& call);

  AsyncFlow& flow() { return *flow_; }

 private:
  // Waits on the fd (GIL released) and processes, until done() or a signal handler raised.
  template <typename Done>
  void run_until(Done done);

  std::unique_ptr<AsyncFlow> flow_;
  std::vector<std::weak_ptr<Call>> calls_;  // unfinished calls, refilled after each process()
};

void bind_engine(py::module_& module);
void bind_client(py::module_& module);  // py_client.cpp

}  // namespace jflow::python
