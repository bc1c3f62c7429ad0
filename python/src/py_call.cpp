// A client call from Python over AsyncFlow::submit() (see py_call.hpp).
#include "py_call.hpp"

#include "py_document.hpp"

namespace jflow::python {
namespace {

py::object python_error(const char* type, const std::string& message) {
  return py::module_::import("builtins").attr(type)(message);
}

// Converts the exception being handled into a Python exception object.
py::object current_error() {
  try {
    throw;
  } catch (py::error_already_set& e) {
    return e.value();
  } catch (const py::builtin_exception& e) {
    // pybind11's py::type_error / py::value_error: let pybind11 turn it into its Python type.
    e.set_error();
    py::error_already_set fetched;
    return fetched.value();
  } catch (const std::invalid_argument& e) {
    return python_error("ValueError", e.what());
  } catch (const std::exception& e) {
    return python_error("RuntimeError", e.what());
  }
}

py::object request_error(const Response& response) {
  py::object type = py::module_::import("jflow._errors").attr("RequestError");
  const Status& status = response.status();
  std::string message = "request " + response.envelope.request_id + " ended " +
                        std::string(status_code_name(status.code));
  if (!status.pod.empty()) message += " in pod '" + status.pod + "'";
  if (!status.message.empty()) message += ": " + status.message;
  return type(message);
}

}  // namespace

Call::Call(Sender sender, DocumentSource source, CallOptions options)
    : sender_(std::move(sender)), source_(std::move(source)), py_(std::make_unique<PythonParts>()) {
  collect_ = options.on_done.is_none() && options.on_error.is_none() && options.on_always.is_none();
  py_->options = std::move(options);
}

Call::~Call() {
  py::gil_scoped_acquire gil;
  py_.reset();
  source_ = nullptr;  // a Python iterator's source holds Python objects too
}

void Call::fill() {
  const CallOptions& options = py_->options;
  while (!exhausted_ && (options.prefetch == 0 || in_flight_.size() < options.prefetch) &&
         !sender_.at_capacity()) {
    Request request;
    request.type = options.type;
    request.parameters = options.parameters;
    try {
      while (request.docs.size() < options.batch_size) {
        std::optional<Document> doc = source_();
        if (!doc) {
          exhausted_ = true;
          break;
        }
        request.docs.push_back(std::move(*doc));
      }
    } catch (...) {
      fail(current_error());
      return;
    }
    if (request.docs.empty()) break;
    // The reply callback runs inside a later process(), so the id is known by then.
    auto id = std::make_shared<std::string>();
    try {
      *id = sender_.submit(
          std::move(request),
          [self = shared_from_this(), id](Response&& response) {
            self->on_reply(*id, std::move(response));
          },
          options.timeout);
    } catch (...) {
      fail(current_error());
      return;
    }
    in_flight_.insert(*id);
  }
  finish_if_done();
}

void Call::on_reply(const std::string& id, Response&& response) {
  py::gil_scoped_acquire gil;
  if (in_flight_.erase(id) == 0) return;  // ended already: the call was cancelled
  try {
    deliver(std::move(response));
    fill();
  } catch (...) {
    fail(current_error());
  }
}

void Call::deliver(Response&& response) {
  const CallOptions& options = py_->options;
  bool ok = response.ok();
  if (!ok && options.on_error.is_none() && py_->error.is_none()) {
    // Nobody asked to see failures: the call raises, naming the first one, once it has ended.
    py_->error = request_error(response);
  }
  py::object wrapped = py::cast(PyResponse{std::move(response)});
  if (collect_) {
    py_->responses.append(wrapped);
    return;
  }
  try {
    if (ok && !options.on_done.is_none()) options.on_done(wrapped);
    if (!ok && !options.on_error.is_none()) options.on_error(wrapped);
    if (!options.on_always.is_none()) options.on_always(wrapped);
  } catch (py::error_already_set& e) {
    fail(e.value());
  }
}

void Call::fail(py::object error) {
  if (py_->error.is_none()) py_->error = std::move(error);
  cancel("the call stopped: " + py::str(py_->error).cast<std::string>());
}

void Call::cancel(const std::string& reason) {
  exhausted_ = true;
  std::unordered_set<std::string> ended;
  ended.swap(in_flight_);
  for (const std::string& id : ended) {
    Response response;
    response.envelope.request_id = id;
    response.envelope.type = py_->options.type;
    response.envelope.status = {StatusCode::closed, reason, "client", ""};
    response.request.type = py_->options.type;
    py::object saved = py_->error;
    try {
      deliver(std::move(response));
    } catch (...) {
    }
    // A callback that raises again while the call is being stopped does not replace the
    // exception that stopped it.
    if (!saved.is_none()) py_->error = saved;
  }
  finish_if_done();
}

void Call::finish_if_done() {
  if (finished_ || !exhausted_ || !in_flight_.empty()) return;
  finished_ = true;
  if (py_->options.on_finished.is_none()) return;
  try {
    py_->options.on_finished();
  } catch (py::error_already_set& e) {
    if (py_->error.is_none()) py_->error = e.value();
  }
}

void bind_response(py::module_& module) {
  py::class_<Status>(module, "Status", "How a request ended: code, message, pod, executor.")
      .def_property_readonly("code",
                             [](const Status& s) { return std::string(status_code_name(s.code)); })
      .def_readonly("message", &Status::message)
      .def_readonly("pod", &Status::pod)
      .def_readonly("executor", &Status::executor)
      .def_property_readonly("ok", &Status::ok)
      .def("__repr__", [](const Status& s) {
        std::string out = "Status(" + std::string(status_code_name(s.code));
        if (!s.pod.empty()) out += ", pod='" + s.pod + "'";
        if (!s.message.empty()) out += ", message='" + s.message + "'";
        return out + ")";
      });
  auto docs = [](PyResponse& r) -> py::object {
    if (r.docs_cache.is_none()) {
      py::list list(r.response.request.docs.size());
      for (std::size_t i = 0; i < r.response.request.docs.size(); ++i)
        list[i] = to_python(std::move(r.response.request.docs[i]));
      r.response.request.docs.clear();
      r.docs_cache = std::move(list);
    }
    return r.docs_cache;
  };
  auto self = [](py::object r) { return r; };
  py::class_<PyResponse>(module, "Response",
                         "One request's end: status, docs (as the last pod left them), routes.")
      .def_property_readonly("docs", docs)
      .def_property_readonly("ok", [](const PyResponse& r) { return r.response.ok(); })
      .def_property_readonly("status", [](const PyResponse& r) { return r.response.status(); })
      .def_property_readonly("request_id",
                             [](const PyResponse& r) { return r.response.envelope.request_id; })
      .def_property_readonly("type",
                             [](const PyResponse& r) {
                               return std::string(request_type_name(r.response.envelope.type));
                             })
      .def_property_readonly(
          "parameters",
          [](const PyResponse& r) { return to_python(r.response.request.parameters); })
      .def_property_readonly("routes",
                             [](const PyResponse& r) {
                               py::list routes;
                               for (const Route& route : r.response.envelope.routes) {
                                 py::dict entry;
                                 entry["pod"] = route.pod;
                                 entry["pea"] = route.pea;
                                 entry["start_ns"] = route.start_ns;
                                 entry["end_ns"] = route.end_ns;
                                 routes.append(entry);
                               }
                               return routes;
                             })
      // Jina's callbacks read resp.index.docs / resp.search.docs: the same documents.
      .def_property_readonly("index", self)
      .def_property_readonly("search", self)
      .def_property_readonly("train", self)
      .def("__repr__", [docs](py::object object) {
        PyResponse& r = object.cast<PyResponse&>();
        std::string out = "Response(" + r.response.envelope.request_id + ", " +
                          std::string(request_type_name(r.response.envelope.type)) + ", " +
                          py::repr(py::cast(r.response.status())).cast<std::string>();
        return out + ", docs=" + py::repr(docs(r)).cast<std::string>() + ")";
      });
}

}  // namespace jflow::python
