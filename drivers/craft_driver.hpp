// CraftDriver: runs the pod's Crafter on every document at its level — e.g. a sentence splitter
// that fills each root document's chunks, or a normaliser that rewrites chunk text in place.
//   uses: [!CraftDriver {level: root}]
// Needs a Crafter executor; the pea fails to start otherwise.
#pragma once

#include "drivers/doc_level.hpp"
#include "jflow/driver.hpp"

namespace jflow {

class Crafter;

class CraftDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit CraftDriver(DocLevel level) : level_(level) {}
  std::string_view kind() const override { return "CraftDriver"; }
  void attach(Executor* executor) override;
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  DocLevel level_;
  Crafter* crafter_ = nullptr;
};

}  // namespace jflow
