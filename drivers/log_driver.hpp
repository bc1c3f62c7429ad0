// LogDriver: logs one line per request at level info (jflow/log.hpp) — from its pea, with the
// request's id, type and traceparent and, when asked (`docs: true`, which decodes the body), the
// number of documents.
#pragma once

#include "jflow/driver.hpp"

namespace jflow {

class LogDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit LogDriver(bool show_docs) : show_docs_(show_docs) {}
  std::string_view kind() const override { return "LogDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  bool show_docs_;
};

}  // namespace jflow
