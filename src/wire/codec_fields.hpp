// The key names of jflow's msgpack maps, in one place for the encoder, the decoder and
// docs/PROTOCOL.md (private to core/). Changing one is a protocol change: bump kProtocolVersion.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace jflow::detail {

// Body: {"docs": [document...], "parameters": {str: value}}
inline constexpr std::string_view kBodyDocs = "docs";
inline constexpr std::string_view kBodyParameters = "parameters";

// Document map; every key is optional and an absent key means the field's default.
inline constexpr std::string_view kDocId = "id";
inline constexpr std::string_view kDocText = "text";
inline constexpr std::string_view kDocRaw = "raw";
inline constexpr std::string_view kDocBlob = "blob";
inline constexpr std::string_view kDocEmbedding = "embedding";
inline constexpr std::string_view kDocTags = "tags";
inline constexpr std::string_view kDocChunks = "chunks";
inline constexpr std::string_view kDocMatches = "matches";
inline constexpr std::string_view kDocScore = "score";

// NdArray map: {"dtype": str, "shape": [uint...], "data": bin}, all three required.
inline constexpr std::string_view kArrayDType = "dtype";
inline constexpr std::string_view kArrayShape = "shape";
inline constexpr std::string_view kArrayData = "data";

// ControlMessage map.
inline constexpr std::string_view kControlCommand = "command";
inline constexpr std::string_view kControlPea = "pea";
inline constexpr std::string_view kControlFields = "fields";
inline constexpr std::string_view kControlEndpoints = "endpoints";

// The envelope is an array; these are its positions (see docs/PROTOCOL.md).
inline constexpr std::uint32_t kEnvelopeFields = 6;
// With the optional seventh field, the traceparent (written only when the envelope has one, so
// an envelope without it is byte for byte what it was before).
inline constexpr std::uint32_t kEnvelopeFieldsWithTrace = 7;
inline constexpr std::uint32_t kStatusFields = 4;
inline constexpr std::uint32_t kRouteFields = 4;

// "[2, 3]", for messages about array shapes.
inline std::string format_shape(const std::vector<std::uint64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  text += ']';
  return text;
}

}  // namespace jflow::detail
