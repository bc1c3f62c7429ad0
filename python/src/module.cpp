// The _jflow extension module: Document, Response, Status, Engine, Call, and the translation of
// jflow's C++ exceptions into the Python ones of jflow/_errors.py.
#include <pybind11/pybind11.h>

#include "jflow/async_flow.hpp"
#include "jflow/codec.hpp"
#include "jflow/flow_spec.hpp"
#include "jflow/log.hpp"
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
  module.def(
      "set_log",
      [](const std::string& level, const std::string& format) {
        const auto parsed_level = jflow::parse_log_level(level);
        if (!parsed_level)
          throw py::value_error("set_log: level: expected error, warn, info or debug, got '" +
                                level + "'");
        const auto parsed_format = jflow::parse_log_format(format);
        if (!parsed_format)
          throw py::value_error("set_log: format: expected text or json, got '" + format + "'");
        jflow::set_log_settings({*parsed_level, *parsed_format});
      },
      py::arg("level") = "info", py::arg("format") = "text",
      "The process's log level and format (docs/OPERATING.md, Logging): the flows' peas, process "
      "peas included, log as set when they start.");
}
