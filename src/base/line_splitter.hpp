// LineSplitter: cuts a byte stream that arrives in pieces (a pea's output read from a pipe) into
// lines, without the '\n'. A line longer than the cap is passed on in pieces of the cap, so that
// a program printing without newlines cannot grow its reader's memory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace jflow {

class LineSplitter {
 public:
  static constexpr std::size_t kDefaultMaxLine = 64 * 1024;

  explicit LineSplitter(std::size_t max_line = kDefaultMaxLine) : max_line_(max_line) {}

  // Calls on_line(std::string_view) for each line `bytes` ends, and for each full cap's worth of
  // a line that does not end; keeps the rest for the next call.
  template <typename OnLine>
  void feed(std::string_view bytes, OnLine&& on_line) {
    while (!bytes.empty()) {
      const std::size_t end = bytes.find('\n');
      const std::size_t room = max_line_ - partial_.size();
      if (end != std::string_view::npos && end <= room) {
        partial_.append(bytes.substr(0, end));
        on_line(std::string_view(partial_));
        partial_.clear();
        bytes.remove_prefix(end + 1);
      } else if (bytes.size() >= room) {
        partial_.append(bytes.substr(0, room));
        on_line(std::string_view(partial_));
        partial_.clear();
        bytes.remove_prefix(room);
      } else {
        partial_.append(bytes);
        return;
      }
    }
  }

  // At the end of the stream: the last line, if it did not end with '\n'.
  template <typename OnLine>
  void finish(OnLine&& on_line) {
    if (partial_.empty()) return;
    on_line(std::string_view(partial_));
    partial_.clear();
  }

 private:
  std::size_t max_line_;
  std::string partial_;  // the start of a line not ended yet
};

}  // namespace jflow
