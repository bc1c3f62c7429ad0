// EncodeDriver: embeds the documents at its level with the pod's Encoder. All documents of the
// request that have text or a blob go to the encoder in ONE encode() call (a model is much faster
// on a batch than on documents one by one); each gets its row of the result as its embedding,
// shape [dim]. Documents with neither are left as they are; a request with none makes no call.
//   uses: [!EncodeDriver {level: chunks}]
// Needs an Encoder executor; the pea fails to start otherwise.
#pragma once

#include "drivers/doc_level.hpp"
#include "jflow/driver.hpp"

namespace jflow {

class Encoder;

class EncodeDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit EncodeDriver(DocLevel level) : level_(level) {}
  std::string_view kind() const override { return "EncodeDriver"; }
  void attach(Executor* executor) override;
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  DocLevel level_;
  Encoder* encoder_ = nullptr;
};

}  // namespace jflow
