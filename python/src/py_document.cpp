// jflow.Document and its conversions (see py_document.hpp).
#include "py_document.hpp"

#include <pybind11/numpy.h>

#include <cstring>
#include <limits>

namespace jflow::python {
namespace {

std::string type_name(const py::handle& value) {
  return py::str(py::type::handle_of(value).attr("__name__")).cast<std::string>();
}

[[noreturn]] void wrong_type(const std::string& where, const char* expected,
                             const py::handle& got) {
  throw py::type_error(where + ": expected " + expected + ", got " + type_name(got));
}

// The numpy dtype jflow carries for a numpy array, or nullopt for one it cannot (complex, object,
// bool, strings, float16).
std::optional<DType> dtype_of(const py::dtype& dtype) {
  char kind = dtype.kind();
  auto size = dtype.itemsize();
  if (kind == 'f') {
    if (size == 4) return DType::float32;
    if (size == 8) return DType::float64;
  } else if (kind == 'i') {
    if (size == 1) return DType::int8;
    if (size == 2) return DType::int16;
    if (size == 4) return DType::int32;
    if (size == 8) return DType::int64;
  } else if (kind == 'u') {
    if (size == 1) return DType::uint8;
    if (size == 2) return DType::uint16;
    if (size == 4) return DType::uint32;
    if (size == 8) return DType::uint64;
  }
  return std::nullopt;
}

// A numpy array for a Document's blob/embedding field (None stays None).
py::object checked_array(const py::object& value, const std::string& where) {
  if (value.is_none()) return value;
  py::array array = py::array::ensure(value);
  if (!array) wrong_type(where, "a numpy array (or None)", value);
  if (!dtype_of(array.dtype())) {
    throw py::type_error(where + ": dtype " + py::str(array.dtype()).cast<std::string>() +
                         " is not supported (float32, float64, int8..int64, uint8..uint64)");
  }
  return array;
}

py::object checked_str(const py::object& value, const std::string& where) {
  if (!py::isinstance<py::str>(value)) wrong_type(where, "str", value);
  return value;
}

py::object checked_bytes(const py::object& value, const std::string& where) {
  if (py::isinstance<py::bytes>(value)) return value;
  if (py::isinstance<py::bytearray>(value) || py::isinstance<py::memoryview>(value))
    return py::module_::import("builtins").attr("bytes")(value);
  wrong_type(where, "bytes", value);
}

py::object checked_dict(const py::object& value, const std::string& where) {
  if (value.is_none()) return value;
  if (!py::isinstance<py::dict>(value)) wrong_type(where, "dict", value);
  return value;
}

py::object checked_list(const py::object& value, const std::string& where) {
  if (value.is_none()) return value;
  if (py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value) ||
      !py::hasattr(value, "__iter__"))
    wrong_type(where, "a list of Documents", value);
  return py::list(value);
}

Value to_value(const py::handle& value, const std::string& where) {
  if (value.is_none()) return std::monostate{};
  if (py::isinstance<py::bool_>(value)) return value.cast<bool>();
  if (py::isinstance<py::int_>(value)) {
    try {
      return value.cast<std::int64_t>();
    } catch (const py::cast_error&) {
      throw py::value_error(where + ": integer does not fit in 64 bits");
    }
  }
  if (py::isinstance<py::float_>(value)) return value.cast<double>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  // numpy scalars (np.float32(1), np.int64(2)) are common in tags computed from arrays.
  if (py::hasattr(value, "dtype") && py::hasattr(value, "item") &&
      py::getattr(value, "ndim", py::int_(1)).cast<int>() == 0)
    return to_value(value.attr("item")(), where);
  wrong_type(where, "None, bool, int, float or str", value);
}

std::vector<Document> to_documents(const py::handle& list, const std::string& where) {
  std::vector<Document> docs;
  if (list.is_none()) return docs;
  std::size_t i = 0;
  for (const py::handle& item : list) {
    std::string here = where + "[" + std::to_string(i++) + "]";
    if (!py::isinstance<PyDocument>(item)) wrong_type(here, "Document", item);
    docs.push_back(to_document(item.cast<const PyDocument&>(), here));
  }
  return docs;
}

py::object to_python_list(std::vector<Document>& docs) {
  if (docs.empty()) return py::none();
  py::list list(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) list[i] = to_python(std::move(docs[i]));
  return list;
}

std::string array_repr(const py::object& array) {
  if (array.is_none()) return "None";
  return "array(shape=" + py::str(array.attr("shape")).cast<std::string>() +
         ", dtype=" + py::str(array.attr("dtype")).cast<std::string>() + ")";
}

std::size_t size_of(const py::object& value) {
  return value.is_none() ? 0 : py::len(value);
}

std::string document_repr(const PyDocument& doc) {
  std::string out = "Document(id=" + py::repr(doc.id).cast<std::string>();
  if (py::len(doc.text)) out += ", text=" + py::repr(doc.text).cast<std::string>();
  if (py::len(doc.buffer)) out += ", buffer=<" + std::to_string(py::len(doc.buffer)) + " bytes>";
  if (!doc.blob.is_none()) out += ", blob=" + array_repr(doc.blob);
  if (!doc.embedding.is_none()) out += ", embedding=" + array_repr(doc.embedding);
  if (size_of(doc.tags)) out += ", tags=" + py::repr(doc.tags).cast<std::string>();
  if (size_of(doc.chunks)) out += ", chunks=" + std::to_string(size_of(doc.chunks));
  if (size_of(doc.matches)) out += ", matches=" + std::to_string(size_of(doc.matches));
  if (doc.score != 0.0) out += ", score=" + py::repr(py::float_(doc.score)).cast<std::string>();
  return out + ")";
}

// A Document from a dict of its fields: {"text": "...", "tags": {...}}.
PyDocument document_from_dict(const py::dict& fields, const std::string& where);

void set_content(PyDocument& doc, const py::object& content, const std::string& where) {
  if (content.is_none()) return;
  if (py::isinstance<py::str>(content)) {
    doc.text = content;
  } else if (py::isinstance<py::bytes>(content) || py::isinstance<py::bytearray>(content)) {
    doc.buffer = checked_bytes(content, where);
  } else if (py::isinstance<py::array>(content)) {
    doc.blob = checked_array(content, where);
  } else {
    wrong_type(where, "str, bytes or a numpy array", content);
  }
}

PyDocument make_document(py::object id, py::object text, py::object buffer, py::object blob,
                         py::object embedding, py::object tags, py::object chunks,
                         py::object matches, double score, py::object content,
                         const std::string& where) {
  PyDocument doc;
  doc.id = checked_str(id, where + ".id");
  doc.text = checked_str(text, where + ".text");
  doc.buffer = checked_bytes(buffer, where + ".buffer");
  doc.blob = checked_array(blob, where + ".blob");
  doc.embedding = checked_array(embedding, where + ".embedding");
  doc.tags = checked_dict(tags, where + ".tags");
  doc.chunks = checked_list(chunks, where + ".chunks");
  doc.matches = checked_list(matches, where + ".matches");
  doc.score = score;
  set_content(doc, content, where + ".content");
  return doc;
}

PyDocument document_from_dict(const py::dict& fields, const std::string& where) {
  static const char* const kFields[] = {"id",   "text",   "buffer",  "blob",  "embedding",
                                        "tags", "chunks", "matches", "score", "content"};
  py::object values[10];
  for (auto& value : values) value = py::none();
  for (auto [key, value] : fields) {
    std::string name = py::str(key).cast<std::string>();
    auto found = std::find_if(std::begin(kFields), std::end(kFields),
                              [&](const char* field) { return name == field; });
    if (found == std::end(kFields))
      throw py::type_error(where + ": unknown Document field '" + name + "'");
    values[found - std::begin(kFields)] = py::reinterpret_borrow<py::object>(value);
  }
  auto or_default = [](py::object value, py::object fallback) {
    return value.is_none() ? fallback : value;
  };
  double score = values[8].is_none() ? 0.0 : values[8].cast<double>();
  return make_document(or_default(values[0], py::str("")), or_default(values[1], py::str("")),
                       or_default(values[2], py::bytes("")), values[3], values[4], values[5],
                       values[6], values[7], score, values[9], where);
}

}  // namespace

NdArray to_ndarray(const py::handle& value, const std::string& where) {
  py::array array = py::array::ensure(value, py::array::c_style);
  if (!array) wrong_type(where, "a numpy array", value);
  auto dtype = dtype_of(array.dtype());
  if (!dtype) {
    throw py::type_error(where + ": dtype " + py::str(array.dtype()).cast<std::string>() +
                         " is not supported (float32, float64, int8..int64, uint8..uint64)");
  }
  // jflow's wire format is little-endian; a big-endian array is converted (this machine is not).
  if (array.dtype().attr("byteorder").cast<std::string>() == ">")
    array = py::array::ensure(array.attr("astype")(array.dtype().attr("newbyteorder")("<")),
                              py::array::c_style);
  NdArray out;
  out.dtype = *dtype;
  for (py::ssize_t i = 0; i < array.ndim(); ++i)
    out.shape.push_back(static_cast<std::uint64_t>(array.shape(i)));
  out.bytes.assign(static_cast<const char*>(array.data()), array.nbytes());
  return out;
}

ValueMap to_value_map(const py::handle& dict, const std::string& where) {
  if (!py::isinstance<py::dict>(dict)) wrong_type(where, "dict", dict);
  ValueMap values;
  for (auto [key, value] : py::reinterpret_borrow<py::dict>(dict)) {
    if (!py::isinstance<py::str>(key)) wrong_type(where + " key", "str", key);
    std::string name = key.cast<std::string>();
    values[name] = to_value(value, where + "['" + name + "']");
  }
  return values;
}

Document to_document(const PyDocument& doc, const std::string& where) {
  Document out;
  out.id = checked_str(doc.id, where + ".id").cast<std::string>();
  out.text = checked_str(doc.text, where + ".text").cast<std::string>();
  out.raw = doc.buffer.cast<std::string>();
  if (!doc.blob.is_none()) out.blob = to_ndarray(doc.blob, where + ".blob");
  if (!doc.embedding.is_none()) out.embedding = to_ndarray(doc.embedding, where + ".embedding");
  if (!doc.tags.is_none()) out.tags = to_value_map(doc.tags, where + ".tags");
  out.chunks = to_documents(doc.chunks, where + ".chunks");
  out.matches = to_documents(doc.matches, where + ".matches");
  out.score = doc.score;
  return out;
}

Document document_from_item(const py::handle& item, const std::string& where) {
  if (py::isinstance<PyDocument>(item)) return to_document(item.cast<const PyDocument&>(), where);
  Document doc;
  if (py::isinstance<py::str>(item)) {
    doc.text = item.cast<std::string>();
    return doc;
  }
  if (py::isinstance<py::bytes>(item)) {
    doc.raw = item.cast<std::string>();
    return doc;
  }
  if (py::isinstance<py::dict>(item))
    return to_document(document_from_dict(py::reinterpret_borrow<py::dict>(item), where), where);
  if (py::isinstance<py::array>(item)) {
    doc.embedding = to_ndarray(item, where);
    if (doc.embedding.shape.size() != 1) {
      throw py::value_error(where + ": expected a 1-D array (one row per document), got " +
                            std::to_string(doc.embedding.shape.size()) + "-D");
    }
    return doc;
  }
  wrong_type(where, "a Document, str, bytes, dict or 1-D numpy array", item);
}

py::object to_python(NdArray&& array) {
  if (array.empty()) return py::none();
  auto* bytes = new std::string(std::move(array.bytes));
  py::capsule owner(bytes, [](void* p) { delete static_cast<std::string*>(p); });
  std::vector<py::ssize_t> shape(array.shape.begin(), array.shape.end());
  return py::array(py::dtype(std::string(dtype_name(array.dtype))), shape, {}, bytes->data(),
                   owner);
}

py::object to_python(const Value& value) {
  return std::visit(
      [](const auto& v) -> py::object {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return py::none();
        } else {
          return py::cast(v);
        }
      },
      value);
}

py::dict to_python(const ValueMap& values) {
  py::dict dict;
  for (const auto& [key, value] : values) dict[py::str(key)] = to_python(value);
  return dict;
}

py::object to_python(Document&& doc) {
  PyDocument out;
  out.id = py::str(doc.id);
  out.text = py::str(doc.text);
  out.buffer = py::bytes(doc.raw);
  out.blob = to_python(std::move(doc.blob));
  out.embedding = to_python(std::move(doc.embedding));
  if (!doc.tags.empty()) out.tags = to_python(doc.tags);
  out.chunks = to_python_list(doc.chunks);
  out.matches = to_python_list(doc.matches);
  out.score = doc.score;
  return py::cast(std::move(out));
}

// The dict or list a None field stands for, created (and kept) on first read.
template <typename Container>
py::object materialized(py::object& field) {
  if (field.is_none()) field = Container();
  return field;
}

void bind_document(py::module_& module) {
  using namespace pybind11::literals;
  py::class_<PyDocument>(module, "Document",
                         "A document: id, text, buffer (bytes), blob and embedding (numpy arrays), "
                         "tags (dict), chunks and matches (lists of Documents), score.")
      .def(
          py::init([](const py::kwargs& fields) { return document_from_dict(fields, "Document"); }))
      .def_property(
          "id", [](const PyDocument& d) { return d.id; },
          [](PyDocument& d, py::object v) { d.id = checked_str(v, "Document.id"); })
      .def_property(
          "text", [](const PyDocument& d) { return d.text; },
          [](PyDocument& d, py::object v) { d.text = checked_str(v, "Document.text"); })
      .def_property(
          "buffer", [](const PyDocument& d) { return d.buffer; },
          [](PyDocument& d, py::object v) { d.buffer = checked_bytes(v, "Document.buffer"); })
      .def_property(
          "blob", [](const PyDocument& d) { return d.blob; },
          [](PyDocument& d, py::object v) { d.blob = checked_array(v, "Document.blob"); })
      .def_property(
          "embedding", [](const PyDocument& d) { return d.embedding; },
          [](PyDocument& d, py::object v) { d.embedding = checked_array(v, "Document.embedding"); })
      .def_property(
          "tags", [](PyDocument& d) { return materialized<py::dict>(d.tags); },
          [](PyDocument& d, py::object v) { d.tags = checked_dict(v, "Document.tags"); })
      .def_property(
          "chunks", [](PyDocument& d) { return materialized<py::list>(d.chunks); },
          [](PyDocument& d, py::object v) { d.chunks = checked_list(v, "Document.chunks"); })
      .def_property(
          "matches", [](PyDocument& d) { return materialized<py::list>(d.matches); },
          [](PyDocument& d, py::object v) { d.matches = checked_list(v, "Document.matches"); })
      .def_readwrite("score", &PyDocument::score)
      .def_property_readonly("content",
                             [](const PyDocument& d) -> py::object {
                               if (py::len(d.text)) return d.text;
                               if (py::len(d.buffer)) return d.buffer;
                               return d.blob;
                             })
      .def("__eq__",
           [](const PyDocument& a, const py::object& b) {
             if (!py::isinstance<PyDocument>(b)) return false;
             return to_document(a, "Document") ==
                    to_document(b.cast<const PyDocument&>(), "Document");
           })
      .def("__repr__", &document_repr);
}

}  // namespace jflow::python
