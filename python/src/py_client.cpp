// _jflow.ClientEngine: a jflow::Client of a served flow (docs/SERVING.md) as Python drives it.
// The sync jflow.Client waits in poll() with the GIL released; the async one calls poll(0) from a
// loop timer (jflow::Client has no fd to watch), so it never blocks the loop and adds at most one
// timer period to each reply. Calls are the same Call objects as a flow's (py_call.hpp).
#include <pybind11/chrono.h>
#include <pybind11/pybind11.h>

#include <algorithm>

#include "jflow/client.hpp"
#include "py_call.hpp"

namespace jflow::python {
namespace {

constexpr auto kSignalCheck = std::chrono::milliseconds(100);

class ClientEngine {
 public:
  ClientEngine(std::string endpoint, double timeout, std::size_t window)
      : window_(window), client_(std::move(endpoint), options(timeout, window)) {}

  std::shared_ptr<Call> call(CallInput input) {
    if (input.options.prefetch == 0) input.options.prefetch = window_;
    Client& client = client_;
    Sender sender{[&client](Request request, ResponseCallback done, Duration timeout) {
                    return client.submit(std::move(request), std::move(done), timeout);
                  },
                  [] { return false; }};
    auto call = std::make_shared<Call>(std::move(sender), std::move(input.source),
                                       std::move(input.options));
    call->fill();
    return call;
  }

  // Replies and overdue requests; max_wait > 0 waits with the GIL released.
  std::size_t poll(double max_wait) {
    auto wait = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(max_wait));
    if (wait <= Duration::zero()) return client_.poll(Duration::zero());
    py::gil_scoped_release released;  // Call::on_reply takes the GIL back for the callbacks
    return client_.poll(wait);
  }

  void wait(const std::shared_ptr<Call>& call) {
    try {
      while (!call->finished()) {
        poll(std::chrono::duration<double>(kSignalCheck).count());
        if (PyErr_CheckSignals() != 0) throw py::error_already_set();
      }
    } catch (py::error_already_set&) {
      call->cancel("the call was interrupted");
      throw;
    }
  }

  py::dict ping(double timeout) {
    PingResult result;
    {
      py::gil_scoped_release released;
      result = client_.ping(
          std::chrono::duration_cast<Duration>(std::chrono::duration<double>(timeout)));
    }
    py::dict out;
    out["ok"] = result.ok;
    out["error"] = result.error;
    out["state"] = result.state;
    out["pods"] = result.pods;
    out["peas"] = result.peas;
    out["peas_alive"] = result.peas_alive;
    out["in_flight"] = result.in_flight;
    out["served"] = result.served;
    out["latency"] = std::chrono::duration<double>(result.latency).count();
    return out;
  }

  std::size_t in_flight() const { return client_.in_flight(); }
  const std::string& endpoint() const { return client_.endpoint(); }

 private:
  static ClientOptions options(double timeout, std::size_t window) {
    ClientOptions options;
    options.timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(timeout));
    options.window = window;
    return options;
  }

  std::size_t window_;
  Client client_;
};

}  // namespace

void bind_client(py::module_& module) {
  using namespace pybind11::literals;
  py::class_<ClientEngine>(module, "ClientEngine")
      .def(py::init<std::string, double, std::size_t>(), "endpoint"_a, "timeout"_a, "window"_a)
      .def(
          "call",
          [](ClientEngine& e, const std::string& type, const std::string& kind, py::object payload,
             const std::string& argument, std::size_t batch_size, std::size_t prefetch,
             double timeout, py::object parameters, py::object on_done, py::object on_error,
             py::object on_always, py::object on_finished) {
            return e.call(call_input(type, kind, payload, argument, batch_size, prefetch, timeout,
                                     parameters, on_done, on_error, on_always, on_finished));
          },
          kCallArguments[0], kCallArguments[1], kCallArguments[2], kCallArguments[3],
          kCallArguments[4], kCallArguments[5], kCallArguments[6], kCallArguments[7],
          kCallArguments[8], kCallArguments[9], kCallArguments[10], kCallArguments[11])
      .def("poll", &ClientEngine::poll, "max_wait"_a)
      .def("wait", &ClientEngine::wait, "call"_a)
      .def("ping", &ClientEngine::ping, "timeout"_a)
      .def_property_readonly("in_flight", &ClientEngine::in_flight)
      .def_property_readonly("endpoint", &ClientEngine::endpoint);
}

}  // namespace jflow::python
