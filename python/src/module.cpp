// The _jflow extension module: Document, Response, Status, Engine, Call, and the translation of
// jflow's C++ exceptions into the Python ones of jflow/_errors.py.
#include <pybind11/pybind11.h>

#include "jflow/async_flow.hpp"
#include "jflow/codec.hpp"
#include "jflow/flow_spec.hpp"
#include "jflow/spec_error.hpp"
#include "py_call.hpp"
#include "py_document.hpp"
#include "py_engine.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_jflow, module) {
  module.doc() = "jflow's C++ core (use the jflow package: Flow, AsyncFlow, Document)";
  py::module_ errors = py::module_::import("jflow._errors");
  // Held for the process's lifetime (released handles: never destroyed after the interpreter).
  static py::handle flow_error = py::object(errors.attr("FlowError")).release();
  static py::handle spec_error = py::object(errors.attr("FlowSpecError")).release();
  py::register_exception_translator([](std::exception_ptr thrown) {
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const jflow::SpecError& e) {
      PyErr_SetString(spec_error.ptr(), e.what());
    } catch (const jflow::FlowError& e) {
      PyErr_SetString(flow_error.ptr(), e.what());
    } catch (const jflow::DecodeError& e) {
      PyErr_SetString(PyExc_ValueError, e.what());
    }
  });
  jflow::python::bind_document(module);
  jflow::python::bind_response(module);
  jflow::python::bind_engine(module);
  jflow::python::bind_client(module);
  module.def(
      "check_flow_file", [](const std::string& path) { (void)jflow::load_flow_yaml(path); },
      "Parses and checks a flow file (raises FlowSpecError with file:line:col).");
}
