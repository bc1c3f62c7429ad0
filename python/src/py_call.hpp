// One client call from Python (index, search, index_ndarray, …): its documents go out as requests
// of batch_size documents over AsyncFlow::submit(), at most `prefetch` in flight, the next built
// from the input when one ends; its Python callbacks run as requests end, inside process().
//
// A Call ends once: every request has ended, or it was cancelled (the coroutine was cancelled, the
// sync call was interrupted), or a callback or the input raised. Cancelling ends each of its
// requests still in flight as `closed` for the caller at once (on_error and on_always see them);
// their replies, when they come, are dropped, and the flow stays usable. The pods still finish
// the work they already hold — the public API has no way to recall a sent request.
#pragma once

#include <pybind11/pybind11.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_set>

#include "jflow/async_flow.hpp"

namespace jflow::python {

namespace py = pybind11;

// jflow.Response: how one request ended. `docs` is converted on first use (a callback that does
// not look at the documents does not pay for them).
struct PyResponse {
  Response response;
  py::object docs_cache = py::none();
};
void bind_response(py::module_& module);

struct CallOptions {
  RequestType type = RequestType::index;
  std::size_t batch_size = 100;
  std::size_t prefetch = 0;  // 0: as many as the flow admits
  Duration timeout = Duration::zero();
  ValueMap parameters;
  py::object on_done = py::none(), on_error = py::none(), on_always = py::none();
  py::object on_finished = py::none();  // called with no arguments once the call has ended
};

// Where a call's requests go: an AsyncFlow (py_engine.cpp) or a Client of a served flow
// (py_client.cpp).
struct Sender {
  std::function<std::string(Request, ResponseCallback, Duration)> submit;
  std::function<bool()> at_capacity;  // the flow refuses more for now; the call waits for room
};

class Call : public std::enable_shared_from_this<Call> {
 public:
  Call(Sender sender, DocumentSource source, CallOptions options);
  ~Call();

  // Sends what the window allows; called at the start and whenever a request ends.
  void fill();
  // Ends the requests still in flight as `closed` with `reason` and stops sending.
  void cancel(const std::string& reason);

  bool finished() const { return finished_; }
  // The first exception a callback or the input raised (None if none).
  py::object error() const { return py_->error; }
  // The responses, when the call was made without callbacks.
  py::list responses() const { return py_->responses; }
  std::size_t in_flight() const { return in_flight_.size(); }

 private:
  void on_reply(const std::string& id, Response&& response);
  void deliver(Response&& response);
  void fail(py::object error);
  void finish_if_done();

  struct PythonParts {  // destroyed with the GIL held (see ~Call)
    CallOptions options;
    py::object error = py::none();
    py::list responses;
  };
  Sender sender_;
  DocumentSource source_;
  std::unique_ptr<PythonParts> py_;
  bool collect_ = false;  // no callbacks: keep the responses
  std::unordered_set<std::string> in_flight_;
  bool exhausted_ = false;
  bool finished_ = false;
};

// A call's input and options from the arguments of Engine.call / ClientEngine.call. `kind` says
// what `payload` is: "items" (an iterator of documents, str, bytes, dicts or 1-D arrays),
// "ndarray" (a 2-D array: one document per row, the row as its embedding), "lines" (a list of
// str), "file" (a text file, one document per line), "files" (paths). `argument` names the input
// in errors. Throws py::value_error / py::type_error for input that cannot work.
struct CallInput {
  DocumentSource source;
  CallOptions options;
};
CallInput call_input(const std::string& type, const std::string& kind, py::object payload,
                     const std::string& argument, std::size_t batch_size, std::size_t prefetch,
                     double timeout, py::object parameters, py::object on_done, py::object on_error,
                     py::object on_always, py::object on_finished);
extern const py::arg kCallArguments[12];  // their names, for pybind11

}  // namespace jflow::python
