// jflow.Document for Python, and the conversions between it and jflow::Document. A Python
// Document holds Python objects (str, bytes, numpy arrays, dict, lists), so it can be changed
// freely; the conversions check each field and name the one that is wrong
// ("input_fn[3].tags['k']"). Arrays that come back from a flow are numpy views over the bytes the
// reply was decoded into: the bytes are moved into a capsule the array keeps alive, never copied.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "jflow/document.hpp"

namespace jflow::python {

namespace py = pybind11;

struct PyDocument {
  py::object id = py::str("");
  py::object text = py::str("");
  py::object buffer = py::bytes("");
  py::object blob = py::none();       // numpy array or None
  py::object embedding = py::none();  // numpy array or None
  // None stands for empty until first read (most documents have no tags, chunks or matches, and
  // three fewer objects per document is most of what a small document costs).
  py::object tags = py::none();
  py::object chunks = py::none();
  py::object matches = py::none();
  double score = 0.0;
};

// Registers jflow.Document in `module`.
void bind_document(py::module_& module);

// Python → C++. `where` names the value in messages ("input_fn[2]"). Throws py::type_error /
// py::value_error.
Document to_document(const PyDocument& doc, const std::string& where);
// An item of a client call's input: a Document, a str (text), bytes (buffer), a dict of Document
// fields, or a 1-D numpy array (the embedding, as index_ndarray makes its rows).
Document document_from_item(const py::handle& item, const std::string& where);
NdArray to_ndarray(const py::handle& array, const std::string& where);
ValueMap to_value_map(const py::handle& dict, const std::string& where);

// C++ → Python; moves the arrays' bytes into the numpy arrays that view them.
py::object to_python(Document&& doc);
py::object to_python(NdArray&& array);
py::object to_python(const Value& value);
py::dict to_python(const ValueMap& values);

}  // namespace jflow::python
