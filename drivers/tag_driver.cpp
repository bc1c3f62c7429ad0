#include "drivers/tag_driver.hpp"

#include "jflow/message.hpp"

namespace jflow {

DriverInfo TagDriver::info() {
  return {"TagDriver",
          "sets the tag `key` to `value` on every document",
          {{"key", "string", "", "the tag's name (required)"},
           {"value", "string", "\"\"", "the tag's value"}}};
}

DriverResult TagDriver::handle(Message& message, const DriverContext&) {
  for (Document& doc : message.request().docs) doc.tags[key_] = value_;
  return DriverResult::next();
}

}  // namespace jflow
