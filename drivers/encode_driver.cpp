#include "drivers/encode_driver.hpp"

#include <string>

#include "drivers/driver_support.hpp"
#include "jflow/message.hpp"

namespace jflow {

DriverInfo EncodeDriver::info() {
  return {"EncodeDriver",
          "embeds the documents at `level` that have text or a blob, in one Encoder call per "
          "request",
          {{"level", "string", "root", "root, chunks or matches: the documents to embed"}}};
}

void EncodeDriver::attach(Executor* executor) {
  encoder_ = &require_capability<Encoder>(executor, kind(), "an Encoder");
}

DriverResult EncodeDriver::handle(Message& message, const DriverContext&) {
  if (encoder_ == nullptr) throw_not_attached(kind());
  std::vector<Document*> batch;
  for (Document* doc : docs_at(message.request(), level_)) {
    if (!doc->text.empty() || !doc->blob.empty()) batch.push_back(doc);
  }
  if (batch.empty()) return DriverResult::next();

  std::vector<const Document*> inputs(batch.begin(), batch.end());
  NdArray rows = encoder_->encode(inputs);
  // Checked here, so an encoder that returns the wrong shape fails with a message rather than
  // reading past its output.
  if (rows.dtype != DType::float32 || rows.shape.size() != 2 || rows.shape[0] != batch.size() ||
      rows.bytes.size() != batch.size() * rows.shape[1] * sizeof(float)) {
    std::string shape;
    for (std::uint64_t extent : rows.shape)
      shape += (shape.empty() ? "" : ", ") + std::to_string(extent);
    throw std::runtime_error(
        "EncodeDriver: the encoder returned a " + std::string(dtype_name(rows.dtype)) +
        " array of shape [" + shape + "] for " + std::to_string(batch.size()) +
        " documents; expected float32 [" + std::to_string(batch.size()) + ", dim]");
  }
  for (std::size_t row = 0; row < batch.size(); ++row) batch[row]->embedding = array_row(rows, row);
  return DriverResult::next();
}

}  // namespace jflow
