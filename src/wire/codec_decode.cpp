// Decoders for envelope, body and control messages (format: docs/PROTOCOL.md).
// All byte-level checks live in MsgpackReader; this file knows the shape of each message and
// adds the semantic checks: known version, types and dtypes, array sizes, limits, no unknown keys.
#include <algorithm>
#include <array>
#include <limits>

#include "jflow/codec.hpp"
#include "wire/codec_fields.hpp"
#include "wire/codec_reader.hpp"
#include "wire/route_append.hpp"

namespace jflow {

namespace {

using detail::MsgpackReader;
using detail::PathScope;

// Tracks which keys of a map have been seen, to reject duplicates and report missing ones.
template <std::size_t N>
class KeySet {
 public:
  explicit KeySet(const std::array<std::string_view, N>& names) : names_(names) {}

  // Index of `key`, after failing on an unknown or repeated key.
  std::size_t mark(MsgpackReader& reader, std::string_view key) {
    for (std::size_t i = 0; i < N; ++i) {
      if (names_[i] != key) continue;
      if (seen_[i]) reader.fail("duplicate key '" + std::string(key) + "'");
      seen_[i] = true;
      return i;
    }
    reader.fail("unknown key '" + std::string(key) + "'");
  }
  bool seen(std::size_t i) const { return seen_[i]; }

 private:
  const std::array<std::string_view, N>& names_;
  std::array<bool, N> seen_{};
};

// Each key list is indexed by the enum after it, so a switch on KeySet::mark reads by name.
constexpr std::array<std::string_view, 3> kArrayKeys{detail::kArrayDType, detail::kArrayShape,
                                                     detail::kArrayData};
enum ArrayField : std::size_t { kDType, kShape, kData };

void read_array(MsgpackReader& r, const DecodeLimits& limits, NdArray& out) {
  KeySet keys(kArrayKeys);
  std::string_view data;
  std::uint32_t count = r.read_map_header();
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string_view key = r.read_key();
    std::size_t field = keys.mark(r, key);
    PathScope scope(r, key);
    if (field == kDType) {
      std::string_view name = r.read_str();
      auto dtype = parse_dtype(name);
      if (!dtype) r.fail("unknown dtype '" + std::string(name) + "'");
      out.dtype = *dtype;
    } else if (field == kShape) {
      std::uint32_t dims = r.read_array_header();
      if (dims > limits.max_array_dims) {
        r.fail(std::to_string(dims) + " dimensions exceed the limit of " +
               std::to_string(limits.max_array_dims));
      }
      out.shape.resize(dims);
      for (std::uint32_t d = 0; d < dims; ++d) {
        PathScope index(r, std::size_t{d});
        out.shape[d] = r.read_uint();
      }
    } else {
      data = r.read_bin();  // a view for now: copied once, after the size check below
    }
  }
  for (std::size_t i = 0; i < kArrayKeys.size(); ++i) {
    if (!keys.seen(i)) r.fail("missing key '" + std::string(kArrayKeys[i]) + "'");
  }
  std::size_t width = dtype_size(out.dtype);
  auto elements = out.element_count();
  if (!elements || *elements > std::numeric_limits<std::uint64_t>::max() / width) {
    r.fail("dtype " + std::string(dtype_name(out.dtype)) + " x shape " +
           detail::format_shape(out.shape) + " overflows 64 bits");
  }
  if (*elements * width != data.size()) {
    r.fail("data is " + std::to_string(data.size()) + " bytes but dtype " +
           std::string(dtype_name(out.dtype)) + " x shape " + detail::format_shape(out.shape) +
           " needs " + std::to_string(*elements * width));
  }
  out.bytes.assign(data);
}

void read_document(MsgpackReader& r, const DecodeLimits& limits, std::size_t depth, Document& out);

void read_documents(MsgpackReader& r, const DecodeLimits& limits, std::size_t depth,
                    std::vector<Document>& out) {
  if (depth > limits.max_depth) {
    r.fail("documents nested deeper than " + std::to_string(limits.max_depth) +
           " levels of chunks/matches");
  }
  std::uint32_t count = r.read_array_header();  // an empty document is 1 byte: {} (0x80)
  if (count > limits.max_docs) {
    r.fail(std::to_string(count) + " documents exceed the limit of " +
           std::to_string(limits.max_docs));
  }
  // Reserve only a little up front: a Document is ~100x larger than its smallest encoding, so
  // trusting the count would let a forged header allocate far more than the input is worth.
  out.reserve(std::min<std::size_t>(count, 1024));
  for (std::uint32_t i = 0; i < count; ++i) {
    PathScope scope(r, std::size_t{i});
    read_document(r, limits, depth, out.emplace_back());
  }
}

constexpr std::array<std::string_view, 9> kDocKeys{
    detail::kDocId,     detail::kDocText,      detail::kDocRaw,
    detail::kDocBlob,   detail::kDocEmbedding, detail::kDocTags,
    detail::kDocChunks, detail::kDocMatches,   detail::kDocScore};
enum DocField : std::size_t {
  kId,
  kText,
  kRaw,
  kBlob,
  kEmbedding,
  kTags,
  kChunks,
  kMatches,
  kScore
};

void read_document(MsgpackReader& r, const DecodeLimits& limits, std::size_t depth, Document& out) {
  KeySet keys(kDocKeys);
  std::uint32_t count = r.read_map_header();
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string_view key = r.read_key();
    std::size_t field = keys.mark(r, key);
    PathScope scope(r, key);
    // `out` is fresh, so its strings are empty: constructing one and moving it in costs less
    // than assigning to it (a hundred documents per reply make this the decode's main cost).
    switch (field) {
      case kId:
        out.id = std::string(r.read_str());
        break;
      case kText:
        out.text = std::string(r.read_str());
        break;
      case kRaw:
        out.raw = std::string(r.read_bin());
        break;
      case kBlob:
        read_array(r, limits, out.blob);
        break;
      case kEmbedding:
        read_array(r, limits, out.embedding);
        break;
      case kTags:
        r.read_value_map(out.tags, limits.max_map_entries);
        break;
      case kChunks:
        read_documents(r, limits, depth + 1, out.chunks);
        break;
      case kMatches:
        read_documents(r, limits, depth + 1, out.matches);
        break;
      case kScore:
        out.score = r.read_number();
        break;
    }
  }
}

constexpr std::array<std::string_view, 2> kBodyKeys{detail::kBodyDocs, detail::kBodyParameters};
enum BodyField : std::size_t { kDocs, kParameters };

constexpr std::array<std::string_view, 4> kControlKeys{detail::kControlCommand, detail::kControlPea,
                                                       detail::kControlFields,
                                                       detail::kControlEndpoints};
enum ControlField : std::size_t { kCommand, kPea, kFields, kEndpoints };

// Reads a fixed-length array header, failing with the expected and actual counts.
void expect_fields(MsgpackReader& r, std::uint32_t expected, std::size_t min_element_bytes) {
  std::uint32_t count = r.read_array_header(min_element_bytes);
  if (count != expected) {
    r.fail("expected an array of " + std::to_string(expected) + " fields, got " +
           std::to_string(count));
  }
}

}  // namespace

Envelope decode_envelope(std::string_view bytes, const DecodeLimits& limits) {
  (void)limits;  // an envelope has no nesting, and its route list is bounded by its own size
  detail::EnvelopeLayout layout;
  return decode_envelope(bytes, layout);
}

namespace {

// keep_routes false: the routes, the request id and the traceparent are checked but not kept
// (their places are in `layout`).
// Decodes into `out`, which is fresh (default-constructed): the caller's own envelope, so that a
// pea's Message is filled where it lives instead of moved into it.
void decode_envelope_fields(std::string_view bytes, detail::EnvelopeLayout& layout,
                            bool keep_routes, Envelope& out) {
  MsgpackReader r(bytes, "envelope");
  r.expect_not_empty();
  auto str_field = [&r](std::string_view name, std::string& field) {
    PathScope scope(r, name);
    // `field` is fresh and empty: most status strings stay so, and constructing a string is
    // cheaper than assigning to one (the per-hop decode does this up to a dozen times).
    if (std::string_view text = r.read_str(); !text.empty()) field = std::string(text);
  };
  auto int_field = [&r](std::string_view name, std::int64_t& field) {
    PathScope scope(r, name);
    field = r.read_int();
  };

  // The version comes first and is checked before the field count, so that a peer speaking
  // another version gets "unsupported protocol version", whatever its envelope looks like.
  std::uint32_t count = r.read_array_header();
  if (count == 0) r.fail("expected the protocol version first, got an empty array");
  std::uint64_t version = 0;
  {
    PathScope scope(r, "version");
    version = r.read_uint();
  }
  if (version != kProtocolVersion) {
    r.fail("unsupported protocol version " + std::to_string(version) + " (this build speaks " +
           std::to_string(kProtocolVersion) + ")");
  }
  out.version = kProtocolVersion;
  if (count != detail::kEnvelopeFields && count != detail::kEnvelopeFieldsWithTrace) {
    r.fail("expected an array of " + std::to_string(detail::kEnvelopeFields) + " fields (" +
           std::to_string(detail::kEnvelopeFieldsWithTrace) + " with a traceparent), got " +
           std::to_string(count));
  }
  if (keep_routes) {
    str_field("request_id", out.request_id);
  } else {
    PathScope scope(r, "request_id");
    std::string_view id = r.read_str();
    layout.request_id_at = static_cast<std::size_t>(id.data() - bytes.data());
    layout.request_id_size = id.size();
  }
  {
    PathScope scope(r, "type");
    std::uint64_t type = r.read_uint();
    if (type > static_cast<std::uint8_t>(RequestType::control)) {
      r.fail("unknown request type " + std::to_string(type));
    }
    out.type = static_cast<RequestType>(type);
  }
  int_field("deadline_ns", out.deadline_ns);
  {
    PathScope scope(r, "status");
    expect_fields(r, detail::kStatusFields, 1);
    {
      PathScope field(r, "code");
      std::uint64_t code = r.read_uint();
      if (code > static_cast<std::uint8_t>(StatusCode::closed)) {
        r.fail("unknown status code " + std::to_string(code));
      }
      out.status.code = static_cast<StatusCode>(code);
    }
    str_field("message", out.status.message);
    str_field("pod", out.status.pod);
    str_field("executor", out.status.executor);
  }
  {
    PathScope scope(r, "routes");
    // A route is at least 5 bytes (fixarray header, two fixstr, two fixint), which bounds the
    // count; reserve little anyway, as a Route in memory is ~15x its smallest encoding.
    layout.routes_at = r.offset();
    std::uint32_t routes = r.read_array_header(5);
    layout.routes_header = r.offset() - layout.routes_at;
    layout.routes = routes;
    // +1: every pea appends its own route to what it decoded.
    if (keep_routes) out.routes.reserve(std::min<std::uint32_t>(routes, 64) + 1);
    for (std::uint32_t i = 0; i < routes; ++i) {
      PathScope index(r, std::size_t{i});
      expect_fields(r, detail::kRouteFields, 1);
      // Read as views first; a kept route is then built from them with its strings constructed,
      // which is cheaper than constructing them and move-assigning them into a default Route.
      std::string_view pod, pea;
      std::int64_t start_ns = 0, end_ns = 0;
      {
        PathScope field(r, "pod");
        pod = r.read_str();
      }
      {
        PathScope field(r, "pea");
        pea = r.read_str();
      }
      int_field("start_ns", start_ns);
      int_field("end_ns", end_ns);
      if (keep_routes)
        out.routes.push_back(Route{std::string(pod), std::string(pea), start_ns, end_ns});
    }
    layout.routes_end = r.offset();
  }
  if (count == detail::kEnvelopeFieldsWithTrace) {
    PathScope scope(r, "traceparent");
    // Read as text only: whoever takes the request checks it, so that a request with a bad one
    // is still matched to its caller and refused by id (the gateway, the ZeroMQ front).
    std::string_view traceparent = r.read_str();
    if (keep_routes) {
      out.traceparent = traceparent;
    } else {
      layout.traceparent_at = static_cast<std::size_t>(traceparent.data() - bytes.data());
      layout.traceparent_size = traceparent.size();
    }
  }
  r.expect_end();
}

}  // namespace

Envelope detail::decode_envelope(std::string_view bytes, EnvelopeLayout& layout) {
  Envelope out;
  decode_envelope_fields(bytes, layout, true, out);
  return out;
}

void detail::decode_envelope_header_into(std::string_view bytes, EnvelopeLayout& layout,
                                         Envelope& out) {
  decode_envelope_fields(bytes, layout, false, out);
}

Request decode_body(std::string_view bytes, const DecodeLimits& limits) {
  MsgpackReader r(bytes, "body");
  r.expect_not_empty();
  Request out;
  KeySet keys(kBodyKeys);
  std::uint32_t count = r.read_map_header();
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string_view key = r.read_key();
    std::size_t field = keys.mark(r, key);
    PathScope scope(r, key);
    if (field == kDocs) {
      read_documents(r, limits, 0, out.docs);
    } else {
      r.read_value_map(out.parameters, limits.max_map_entries);
    }
  }
  r.expect_end();
  return out;
}

ControlMessage decode_control(std::string_view bytes, const DecodeLimits& limits) {
  MsgpackReader r(bytes, "control");
  r.expect_not_empty();
  ControlMessage out;
  KeySet keys(kControlKeys);
  std::uint32_t count = r.read_map_header();
  for (std::uint32_t i = 0; i < count; ++i) {
    std::string_view key = r.read_key();
    std::size_t field = keys.mark(r, key);
    PathScope scope(r, key);
    if (field == kCommand) {
      out.command = r.read_str();
    } else if (field == kPea) {
      out.pea = r.read_str();
    } else if (field == kFields) {
      r.read_value_map(out.fields, limits.max_map_entries);
    } else {
      std::uint32_t endpoints = r.read_array_header();
      if (endpoints > limits.max_map_entries) {
        r.fail(std::to_string(endpoints) + " endpoints exceed the limit of " +
               std::to_string(limits.max_map_entries));
      }
      out.endpoints.reserve(endpoints);
      for (std::uint32_t e = 0; e < endpoints; ++e) {
        PathScope index(r, std::size_t{e});
        out.endpoints.emplace_back(r.read_str());
      }
    }
  }
  if (!keys.seen(kCommand)) r.fail("missing key 'command'");
  r.expect_end();
  return out;
}

}  // namespace jflow
