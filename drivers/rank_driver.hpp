// RankDriver: lets the pod's Ranker score each root document's matches — typically turning the
// chunk matches a VectorSearchDriver {level: chunks} found into whole-document matches, at most
// top_k of them, best first. top_k is the request parameter `top_k` when given (a positive
// integer, else the request fails), else the option.
//   uses: {search: [!RankDriver {top_k: 5}]}
// Needs a Ranker executor; the pea fails to start otherwise.
#pragma once

#include <cstddef>

#include "jflow/driver.hpp"

namespace jflow {

class Ranker;

class RankDriver final : public Driver {
 public:
  static DriverInfo info();
  explicit RankDriver(std::size_t top_k) : top_k_(top_k) {}
  std::string_view kind() const override { return "RankDriver"; }
  void attach(Executor* executor) override;
  DriverResult handle(Message& message, const DriverContext& context) override;

 private:
  std::size_t top_k_;
  Ranker* ranker_ = nullptr;
};

}  // namespace jflow
