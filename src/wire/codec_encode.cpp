// Encoders for envelope, body and control messages (format: docs/PROTOCOL.md).
// Everything is written in place with msgpack_put.hpp, in the forms msgpack-c's packer would
// choose (tests compare the bytes), straight into the std::string returned or reused.
#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "jflow/codec.hpp"
#include "wire/codec_fields.hpp"
#include "wire/msgpack_put.hpp"
#include "wire/route_append.hpp"

namespace jflow {

namespace {

// Appends msgpack to `out` with msgpack_put.hpp's writers, in msgpack-c's packer's forms. Small
// values are written in place into a stage that goes to `out` in one append when full (and at
// finish()); a long str or bin goes straight to `out`. (msgpack-c's packer made one stream write
// per header: ~1,400 instructions for a 1-document body, callgrind, bench_chain.) Reserve `out`
// from an estimate first.
class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}
  void finish() { flush(); }

  void nil() {
    put(1, [](char* p) { return detail::put_lead(p, 0xc0); });
  }
  void boolean(bool value) {
    put(1, [value](char* p) { return detail::put_lead(p, value ? 0xc3 : 0xc2); });
  }
  void integer(std::int64_t value) {  // the smallest int form
    put(detail::kMaxHeaderSize, [value](char* p) { return detail::put_int(p, value); });
  }
  void uinteger(std::uint64_t value) {
    put(detail::kMaxHeaderSize, [value](char* p) { return detail::put_uint(p, value); });
  }
  void array(std::size_t count) {
    const std::uint32_t n = length(count);
    put(detail::kMaxHeaderSize, [n](char* p) { return detail::put_array_header(p, n); });
  }
  void map(std::size_t count) {
    const std::uint32_t n = length(count);
    put(detail::kMaxHeaderSize, [n](char* p) { return detail::put_map_header(p, n); });
  }
  // A map key: one of jflow's field names, short enough for a fixstr (codec_fields.hpp).
  void key(std::string_view name) {
    put(1 + name.size(), [name](char* p) {
      p = detail::put_lead(p, static_cast<std::uint8_t>(0xa0 | name.size()));
      std::memcpy(p, name.data(), name.size());
      return p + name.size();
    });
  }
  void str(std::string_view text) {
    const std::uint32_t n = length(text.size());
    put(detail::kMaxHeaderSize, [n](char* p) { return detail::put_str_header(p, n); });
    bytes(text);
  }
  void bin(std::string_view data) {
    const std::uint32_t n = length(data.size());
    put(detail::kMaxHeaderSize, [n](char* p) { return detail::put_bin_header(p, n); });
    bytes(data);
  }
  // Always a float64: an integral double (2.0) written as an int (as msgpack-c's pack_double
  // does) would come back as an int64 and change a tag's type.
  void float64(double value) {
    put(detail::kMaxHeaderSize, [value](char* p) {
      return detail::put_be(detail::put_lead(p, 0xcb), std::bit_cast<std::uint64_t>(value), 8);
    });
  }

  void value(const Value& v) {
    std::visit([this](const auto& scalar) { write_scalar(scalar); }, v);
  }
  void value_map(const ValueMap& values) {
    map(values.size());
    for (const auto& [key, v] : values) {
      str(key);
      value(v);
    }
  }

 private:
  void write_scalar(std::monostate) { nil(); }
  void write_scalar(bool flag) { boolean(flag); }
  void write_scalar(std::int64_t number) { integer(number); }
  void write_scalar(double number) { float64(number); }
  void write_scalar(const std::string& text) { str(text); }

  // Lets `write` put a value of at most `most` bytes (at most kMaxHeaderSize, or a key) on the
  // stage, and moves past it.
  template <class Write>
  void put(std::size_t most, Write write) {
    if (most > sizeof stage_ - staged_) flush();
    char* start = stage_ + staged_;
    staged_ += static_cast<std::size_t>(write(start) - start);
  }
  // A str's or bin's bytes: on the stage when they fit in what is left of it, else to `out`.
  void bytes(std::string_view data) {
    if (data.size() <= sizeof stage_ - staged_) {
      std::memcpy(stage_ + staged_, data.data(), data.size());
      staged_ += data.size();
      return;
    }
    flush();
    out_.append(data);
  }
  void flush() {
    out_.append(stage_, staged_);
    staged_ = 0;
  }

  // msgpack lengths are 32-bit; a larger string cannot be represented at all. (The throw is
  // out of line, so that what calls this stays small enough to inline.)
  static std::uint32_t length(std::size_t size) {
    if (size > std::numeric_limits<std::uint32_t>::max()) [[unlikely]]
      too_long(size);
    return static_cast<std::uint32_t>(size);
  }
  [[noreturn, gnu::noinline]] static void too_long(std::size_t size) {
    throw std::length_error("msgpack cannot hold a string, bin or container of " +
                            std::to_string(size) + " bytes/elements (limit 2^32-1)");
  }

  std::string& out_;
  char stage_[512];
  std::size_t staged_ = 0;
};

// Upper-bound estimates so each encode reserves once instead of growing (and copying) its output.
std::size_t estimate(const ValueMap& values) {
  std::size_t size = 5;
  for (const auto& [key, v] : values) {
    size += 10 + key.size();
    if (const auto* text = std::get_if<std::string>(&v)) size += 5 + text->size();
  }
  return size;
}

std::size_t estimate(const NdArray& array) {
  return 32 + 9 * array.shape.size() + array.bytes.size();
}

std::size_t estimate(const Document& doc) {
  std::size_t size = 64 + doc.id.size() + doc.text.size() + doc.raw.size() + estimate(doc.blob) +
                     estimate(doc.embedding) + estimate(doc.tags);
  for (const Document& chunk : doc.chunks) size += estimate(chunk);
  for (const Document& match : doc.matches) size += estimate(match);
  return size;
}

// Refuses to send an array that every receiver would reject, and says so where it was made.
void check_array(const NdArray& array, std::string_view field) {
  auto count = array.element_count();
  std::size_t width = dtype_size(array.dtype);
  if (!count || *count > std::numeric_limits<std::uint64_t>::max() / width ||
      *count * width != array.bytes.size()) {
    throw std::invalid_argument("encode_body: document " + std::string(field) + " holds " +
                                std::to_string(array.bytes.size()) + " bytes, which is not " +
                                std::string(dtype_name(array.dtype)) + " x shape " +
                                detail::format_shape(array.shape));
  }
}

void write_array(Writer& w, const NdArray& array, std::string_view field) {
  check_array(array, field);
  w.map(3);
  w.key(detail::kArrayDType);
  w.str(dtype_name(array.dtype));
  w.key(detail::kArrayShape);
  w.array(array.shape.size());
  for (std::uint64_t extent : array.shape) w.uinteger(extent);
  w.key(detail::kArrayData);
  w.bin(array.bytes);
}

void write_document(Writer& w, const Document& doc) {
  using namespace detail;
  // Empty fields are left out: most documents carry two or three of the nine.
  std::size_t fields = !doc.id.empty() + !doc.text.empty() + !doc.raw.empty() + !doc.blob.empty() +
                       !doc.embedding.empty() + !doc.tags.empty() + !doc.chunks.empty() +
                       !doc.matches.empty() + (doc.score != 0.0);
  w.map(fields);
  if (!doc.id.empty()) {
    w.key(kDocId);
    w.str(doc.id);
  }
  if (!doc.text.empty()) {
    w.key(kDocText);
    w.str(doc.text);
  }
  if (!doc.raw.empty()) {
    w.key(kDocRaw);
    w.bin(doc.raw);
  }
  if (!doc.blob.empty()) {
    w.key(kDocBlob);
    write_array(w, doc.blob, kDocBlob);
  }
  if (!doc.embedding.empty()) {
    w.key(kDocEmbedding);
    write_array(w, doc.embedding, kDocEmbedding);
  }
  if (!doc.tags.empty()) {
    w.key(kDocTags);
    w.value_map(doc.tags);
  }
  if (!doc.chunks.empty()) {
    w.key(kDocChunks);
    w.array(doc.chunks.size());
    for (const Document& chunk : doc.chunks) write_document(w, chunk);
  }
  if (!doc.matches.empty()) {
    w.key(kDocMatches);
    w.array(doc.matches.size());
    for (const Document& match : doc.matches) write_document(w, match);
  }
  if (doc.score != 0.0) {
    w.key(kDocScore);
    w.float64(doc.score);
  }
}

}  // namespace

std::string encode_envelope(const Envelope& envelope) {
  std::string out;
  encode_envelope_into(envelope, out);
  return out;
}

namespace {

// msgpack lengths are 32-bit: a larger string or array cannot be represented at all.
void check_length(std::size_t size, std::string_view what) {
  if (size > std::numeric_limits<std::uint32_t>::max()) {
    throw std::length_error("msgpack cannot hold " + std::string(what) + " of " +
                            std::to_string(size) + " bytes/elements (limit 2^32-1)");
  }
}

std::size_t route_size(const Route& route) {
  check_length(route.pod.size(), "a route's pod name");
  check_length(route.pea.size(), "a route's pea name");
  return detail::array_header_size(detail::kRouteFields) + detail::str_size(route.pod) +
         detail::str_size(route.pea) + detail::int_size(route.start_ns) +
         detail::int_size(route.end_ns);
}

char* put_route(char* p, const Route& route) {
  p = detail::put_array_header(p, detail::kRouteFields);
  p = detail::put_str(p, route.pod);
  p = detail::put_str(p, route.pea);
  p = detail::put_int(p, route.start_ns);
  return detail::put_int(p, route.end_ns);
}

}  // namespace

// The envelope and the route a pea appends are written with msgpack_put.hpp, sized first and
// then written in place (one resize, no stream of small appends): they are encoded on every
// request and hop. The bytes are what msgpack-c's packer would write.
std::size_t detail::size_with_route(std::string_view bytes, const EnvelopeLayout& layout,
                                    const Route& route) {
  check_length(std::size_t{layout.routes} + 1, "a routes array");
  // One more route may grow a fixarray header into an array16.
  return bytes.size() - layout.routes_header + array_header_size(layout.routes + 1) +
         route_size(route);
}

void detail::append_route_to(std::string_view bytes, const EnvelopeLayout& layout,
                             const Route& route, char* out) {
  const std::size_t header_end = layout.routes_at + layout.routes_header;
  std::memcpy(out, bytes.data(), layout.routes_at);
  char* p = put_array_header(out + layout.routes_at, layout.routes + 1);
  std::memcpy(p, bytes.data() + header_end, layout.routes_end - header_end);
  p = put_route(p + (layout.routes_end - header_end), route);
  std::memcpy(p, bytes.data() + layout.routes_end, bytes.size() - layout.routes_end);
}

void encode_envelope_into(const Envelope& envelope, std::string& out) {
  using namespace detail;
  const Status& status = envelope.status;
  check_length(envelope.request_id.size(), "a request id");
  check_length(status.message.size(), "a status message");
  check_length(status.pod.size(), "a status pod");
  check_length(status.executor.size(), "a status executor");
  check_length(envelope.traceparent.size(), "a traceparent");
  check_length(envelope.routes.size(), "a routes array");
  // An array, not a map: every pea decodes and re-encodes it, so no key strings on every hop.
  const bool traced = !envelope.traceparent.empty();
  const std::uint32_t fields = traced ? kEnvelopeFieldsWithTrace : kEnvelopeFields;
  const auto routes = static_cast<std::uint32_t>(envelope.routes.size());
  std::size_t size =
      array_header_size(fields) + int_size(envelope.version) + str_size(envelope.request_id) +
      int_size(static_cast<std::uint8_t>(envelope.type)) + int_size(envelope.deadline_ns) +
      array_header_size(kStatusFields) + int_size(static_cast<std::uint8_t>(status.code)) +
      str_size(status.message) + str_size(status.pod) + str_size(status.executor) +
      array_header_size(routes) + (traced ? str_size(envelope.traceparent) : 0);
  for (const Route& route : envelope.routes) size += route_size(route);
  out.resize(size);
  char* p = out.data();
  p = put_array_header(p, fields);
  p = put_int(p, envelope.version);
  p = put_str(p, envelope.request_id);
  p = put_int(p, static_cast<std::uint8_t>(envelope.type));
  p = put_int(p, envelope.deadline_ns);
  p = put_array_header(p, kStatusFields);
  p = put_int(p, static_cast<std::uint8_t>(status.code));
  p = put_str(p, status.message);
  p = put_str(p, status.pod);
  p = put_str(p, status.executor);
  p = put_array_header(p, routes);
  for (const Route& route : envelope.routes) p = put_route(p, route);
  if (traced) put_str(p, envelope.traceparent);
}

std::string encode_body(const Request& request) {
  std::string out;
  encode_body_into(request, out);
  return out;
}

void encode_body_into(const Request& request, std::string& out) {
  std::size_t reserve = 32 + estimate(request.parameters);
  for (const Document& doc : request.docs) reserve += estimate(doc);
  out.clear();
  out.reserve(reserve);
  Writer w(out);
  w.map(2);
  w.key(detail::kBodyDocs);
  w.array(request.docs.size());
  for (const Document& doc : request.docs) write_document(w, doc);
  w.key(detail::kBodyParameters);
  w.value_map(request.parameters);
  w.finish();
}

std::string encode_control(const ControlMessage& message) {
  std::size_t reserve = 64 + message.command.size() + message.pea.size() + estimate(message.fields);
  for (const std::string& endpoint : message.endpoints) reserve += 5 + endpoint.size();
  std::string out;
  out.reserve(reserve);
  Writer w(out);
  w.map(4);
  w.key(detail::kControlCommand);
  w.str(message.command);
  w.key(detail::kControlPea);
  w.str(message.pea);
  w.key(detail::kControlFields);
  w.value_map(message.fields);
  w.key(detail::kControlEndpoints);
  w.array(message.endpoints.size());
  for (const std::string& endpoint : message.endpoints) w.str(endpoint);
  w.finish();
  return out;
}

}  // namespace jflow
