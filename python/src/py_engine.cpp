// _jflow.Engine (see py_engine.hpp) and the input sources of its calls.
#include "py_engine.hpp"

#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "jflow/document_source.hpp"
#include "py_document.hpp"

namespace jflow::python {
namespace {

constexpr auto kSignalCheck = std::chrono::milliseconds(100);  // Ctrl-C is noticed this fast

// A Python object that may be released from a thread without the GIL (inside the C++ flow).
std::shared_ptr<py::object> held(py::object object) {
  return std::shared_ptr<py::object>(new py::object(std::move(object)), [](py::object* p) {
    py::gil_scoped_acquire gil;
    delete p;
  });
}

FlowOptions flow_options() {
  FlowOptions options;
  // Process peas run `jflow`: $JFLOW_EXECUTABLE or what jflow/__init__.py found beside the
  // installed package, else libjflow's own search (the build tree's binary, PATH).
  if (const char* path = std::getenv("JFLOW_EXECUTABLE"); path && *path)
    options.jflow_executable = path;
  return options;
}

// One document per item of a Python iterator; `argument` names it in errors ("input_fn[3]").
DocumentSource python_items(py::object iterator, std::string argument) {
  auto index = std::make_shared<std::size_t>(0);
  return [iterator = held(std::move(iterator)), argument = std::move(argument),
          index]() -> std::optional<Document> {
    PyObject* next = PyIter_Next(iterator->ptr());
    if (next == nullptr) {
      if (PyErr_Occurred()) throw py::error_already_set();
      return std::nullopt;
    }
    py::object item = py::reinterpret_steal<py::object>(next);
    return document_from_item(item, argument + "[" + std::to_string((*index)++) + "]");
  };
}

std::optional<RequestType> request_type(const std::string& name) {
  return parse_request_type(name);
}

}  // namespace

const py::arg kCallArguments[12] = {
    py::arg("type"),       py::arg("kind"),     py::arg("payload"),   py::arg("argument"),
    py::arg("batch_size"), py::arg("prefetch"), py::arg("timeout"),   py::arg("parameters"),
    py::arg("on_done"),    py::arg("on_error"), py::arg("on_always"), py::arg("on_finished")};

Engine::Engine(FlowSpec spec)
    : flow_(std::make_unique<AsyncFlow>(std::move(spec), flow_options())) {}

Engine::~Engine() {
  // Any request still in flight ends now (status closed) with its callbacks; the GIL is held.
  flow_.reset();
}

std::size_t Engine::process() {
  std::size_t ended = flow_->process();
  // A call that found the flow at capacity (other calls' requests) gets its turn here. fill() may
  // run Python callbacks that start calls of their own, so the list is taken out while it runs.
  std::vector<std::weak_ptr<Call>> waiting;
  waiting.swap(calls_);
  for (const std::weak_ptr<Call>& weak : waiting) {
    auto call = weak.lock();
    if (!call || call->finished()) continue;
    call->fill();
    if (!call->finished()) calls_.push_back(call);
  }
  return ended;
}

std::optional<double> Engine::next_timeout() const {
  auto timeout = flow_->next_timeout();
  if (!timeout) return std::nullopt;
  return std::chrono::duration<double>(*timeout).count();
}

template <typename Done>
void Engine::run_until(Done done) {
  while (!done()) {
    Duration wait = kSignalCheck;
    if (auto timeout = flow_->next_timeout()) wait = std::min<Duration>(wait, *timeout);
    {
      py::gil_scoped_release released;
      wait_readable(fd(), wait);
    }
    process();
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
  }
}

void Engine::start_async(py::object on_started) {
  flow_->start_async([callback = held(std::move(on_started))](const std::optional<FlowError>& e) {
    py::gil_scoped_acquire gil;
    if (e) {
      (*callback)(py::str(e->what()));
    } else {
      (*callback)(py::none());
    }
  });
}

void Engine::start() {
  bool started = false;
  std::optional<std::string> error;
  flow_->start_async([&](const std::optional<FlowError>& e) {
    started = true;
    if (e) error = e->what();
  });
  try {
    run_until([&] { return started; });
  } catch (py::error_already_set&) {
    flow_->close();  // interrupted: nothing is left running
    throw;
  }
  if (error) throw FlowError(*error);
}

void Engine::close_async(py::object on_closed) {
  flow_->close_async([callback = held(std::move(on_closed))] {
    py::gil_scoped_acquire gil;
    (*callback)();
  });
}

void Engine::close() {
  bool closed = false;
  flow_->close_async([&] { closed = true; });
  // Not interruptible: a second Ctrl-C must not leave peas behind; close_timeout bounds it.
  while (!closed) {
    {
      py::gil_scoped_release released;
      wait_readable(fd(), kSignalCheck);
    }
    process();
  }
}

std::shared_ptr<Call> Engine::call(DocumentSource source, CallOptions options) {
  AsyncFlow& flow = *flow_;
  Sender sender{[&flow](Request request, ResponseCallback done, Duration timeout) {
                  return flow.submit(std::move(request), std::move(done), timeout);
                },
                [&flow] { return flow.at_capacity(); }};
  auto call = std::make_shared<Call>(std::move(sender), std::move(source), std::move(options));
  call->fill();
  if (!call->finished()) calls_.push_back(call);
  return call;
}

void Engine::wait(const std::shared_ptr<Call>& call) {
  try {
    run_until([&] { return call->finished(); });
  } catch (py::error_already_set&) {
    call->cancel("the call was interrupted");
    throw;
  }
}

CallInput call_input(const std::string& type, const std::string& kind, py::object payload,
                     const std::string& argument, std::size_t batch_size, std::size_t prefetch,
                     double timeout, py::object parameters, py::object on_done, py::object on_error,
                     py::object on_always, py::object on_finished) {
  CallOptions options;
  auto parsed = request_type(type);
  if (!parsed) throw py::value_error("unknown request type '" + type + "'");
  options.type = *parsed;
  options.batch_size = batch_size;
  options.prefetch = prefetch;
  options.timeout = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(timeout));
  if (!parameters.is_none()) options.parameters = to_value_map(parameters, "parameters");
  options.on_done = on_done;
  options.on_error = on_error;
  options.on_always = on_always;
  options.on_finished = on_finished;
  DocumentSource source;
  try {
    if (kind == "items") {
      source = python_items(payload, argument);
    } else if (kind == "ndarray") {
      source = rows_of(to_ndarray(payload, argument));
    } else if (kind == "lines") {
      source = lines_of(payload.cast<std::vector<std::string>>());
    } else if (kind == "file") {
      source = lines_of_file(payload.cast<std::filesystem::path>());
    } else if (kind == "files") {
      source = files_of(payload.cast<std::vector<std::filesystem::path>>());
    } else {
      throw py::value_error("unknown input kind '" + kind + "'");
    }
  } catch (const std::invalid_argument& error) {
    throw py::value_error(argument + ": " + error.what());
  } catch (const py::error_already_set&) {
    throw;
  } catch (const py::builtin_exception&) {
    throw;
  } catch (const std::runtime_error& error) {
    throw py::value_error(argument + ": " + error.what());
  }
  return {std::move(source), std::move(options)};
}

void bind_engine(py::module_& module) {
  using namespace pybind11::literals;
  py::class_<Call, std::shared_ptr<Call>>(module, "Call")
      .def_property_readonly("finished", &Call::finished)
      .def_property_readonly("error", &Call::error)
      .def_property_readonly("responses", &Call::responses)
      .def_property_readonly("in_flight", &Call::in_flight)
      .def("cancel", &Call::cancel, "reason"_a);

  py::class_<Engine>(module, "Engine")
      .def_static(
          "from_yaml",
          [](const std::string& text, const std::string& source) {
            return std::make_unique<Engine>(parse_flow_yaml(text, source));
          },
          "text"_a, "source"_a)
      .def_static(
          "from_file",
          [](const std::filesystem::path& path) {
            return std::make_unique<Engine>(load_flow_yaml(path));
          },
          "path"_a)
      .def_property_readonly("fd", &Engine::fd)
      .def("process", &Engine::process)
      .def("next_timeout", &Engine::next_timeout)
      .def("start_async", &Engine::start_async, "on_started"_a)
      .def("start", &Engine::start)
      .def("close_async", &Engine::close_async, "on_closed"_a)
      .def("close", &Engine::close)
      .def_property_readonly("state",
                             [](Engine& e) {
                               switch (e.flow().state()) {
                                 case AsyncFlow::State::idle:
                                   return "idle";
                                 case AsyncFlow::State::starting:
                                   return "starting";
                                 case AsyncFlow::State::running:
                                   return "running";
                                 case AsyncFlow::State::closing:
                                   return "closing";
                                 case AsyncFlow::State::closed:
                                   return "closed";
                               }
                               return "closed";
                             })
      .def_property_readonly("in_flight", [](Engine& e) { return e.flow().in_flight(); })
      .def_property_readonly("close_problems", [](Engine& e) { return e.flow().close_problems(); })
      .def("status",
           [](Engine& e) {
             py::list peas;
             for (const PeaStatus& s : e.flow().status()) {
               py::dict pea;
               pea["pod"] = s.pod;
               pea["pea"] = s.pea;
               pea["runtime"] = s.runtime;
               pea["endpoint"] = s.endpoint;
               pea["pid"] = s.pid;
               pea["alive"] = s.alive;
               pea["state"] = s.state;
               pea["restarts"] = s.restarts;
               pea["last_error"] = s.last_error;
               peas.append(pea);
             }
             return peas;
           })
      // A client call (see call_input in py_call.hpp).
      .def(
          "call",
          [](Engine& e, const std::string& type, const std::string& kind, py::object payload,
             const std::string& argument, std::size_t batch_size, std::size_t prefetch,
             double timeout, py::object parameters, py::object on_done, py::object on_error,
             py::object on_always, py::object on_finished) {
            CallInput input =
                call_input(type, kind, payload, argument, batch_size, prefetch, timeout, parameters,
                           on_done, on_error, on_always, on_finished);
            return e.call(std::move(input.source), std::move(input.options));
          },
          kCallArguments[0], kCallArguments[1], kCallArguments[2], kCallArguments[3],
          kCallArguments[4], kCallArguments[5], kCallArguments[6], kCallArguments[7],
          kCallArguments[8], kCallArguments[9], kCallArguments[10], kCallArguments[11])
      .def("wait", &Engine::wait, "call"_a);
}

}  // namespace jflow::python
