// W3C trace context (https://www.w3.org/TR/trace-context/): the `traceparent` a request carries
// in its envelope so that one request can be followed across peas and hosts. jflow accepts one
// from its callers (an HTTP header, an envelope field from a ZeroMQ client, Request::traceparent
// from the C++ API), makes one when none is given, and returns it with the reply unchanged.
//
//   00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01
//   version-trace id (32 hex)-parent id (16 hex)-flags (2 hex)
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace jflow {

// Every traceparent jflow accepts or makes has this length (version 00).
inline constexpr std::size_t kTraceparentLength = 55;

// Why `text` is not a traceparent jflow accepts (version 00, lowercase hex, trace and parent
// ids not all zeros), or nullopt when it is one.
std::optional<std::string> traceparent_problem(std::string_view text);

// A fresh traceparent: random trace and parent ids, flags 01 (sampled).
std::string new_traceparent();

// A traceparent held in place rather than in a std::string (which would allocate for 55
// characters): what the gateway keeps for each request in flight. Empty, or an accepted one.
class InlineTraceparent {
 public:
  InlineTraceparent() = default;
  // `text` must be accepted (traceparent_problem(text) is nullopt): throws std::invalid_argument.
  explicit InlineTraceparent(std::string_view text);
  static InlineTraceparent fresh();  // as new_traceparent()

  std::string_view view() const { return {text_.data(), size_}; }
  bool empty() const { return size_ == 0; }

 private:
  std::array<char, kTraceparentLength> text_{};
  std::size_t size_ = 0;
};

// The trace id of a valid traceparent (its 32 hex digits), what log lines print; empty for "".
std::string_view trace_id(std::string_view traceparent);

}  // namespace jflow
