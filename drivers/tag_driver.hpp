// TagDriver: sets one tag on every document of a request, e.g. to mark which branch of a flow a
// document passed through (`- !TagDriver {key: source, value: web}`). Decodes the body.
#pragma once

#include <string>

#include "jflow/driver.hpp"

namespace jflow {

class TagDriver final : public Driver {
 public:
  static DriverInfo info();
  TagDriver(std::string key, std::string value) : key_(std::move(key)), value_(std::move(value)) {}
  std::string_view kind() const override { return "TagDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  std::string key_;
  std::string value_;
};

}  // namespace jflow
