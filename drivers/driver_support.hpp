// Helpers shared by the drivers that call an executor: finding the executor's capability at
// attach() time, reading a request's top_k, deciding which shard keeps a document, and moving
// embeddings between documents and the [rows, dim] arrays executors take.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/driver.hpp"
#include "jflow/executor.hpp"
#include "jflow/request.hpp"

namespace jflow {

// The executor as the capability a driver needs. Throws std::runtime_error, e.g.
// "EncodeDriver needs an Encoder executor, but the pod has none", so the pea fails to start
// with a message that says what to fix in the flow.
template <typename Capability>
Capability& require_capability(Executor* executor, std::string_view driver,
                               std::string_view capability) {
  std::string needs = std::string(driver) + " needs " + std::string(capability) + " executor";
  if (executor == nullptr) throw std::runtime_error(needs + ", but the pod has none");
  auto* found = dynamic_cast<Capability*>(executor);
  if (found == nullptr) {
    throw std::runtime_error(needs + ", but " + std::string(executor->kind()) + " is not " +
                             std::string(capability));
  }
  return *found;
}

// Thrown by handle() of a driver whose attach() was never called (a wiring bug, not a user error).
[[noreturn]] void throw_not_attached(std::string_view driver);

// The request parameter "top_k" when given, else `fallback`. Throws std::invalid_argument when the
// parameter is not a positive integer (an integral float such as 5.0 counts as one).
std::size_t top_k_from_parameters(const Request& request, std::size_t fallback,
                                  std::string_view driver);

// Whether this pea keeps the document with `id`: always for an unsharded pod; for shard `replica`
// of `shards`, only the ids shard_of() assigns to it — so the shards of a polling-all indexer
// split the data between them, each document held exactly once.
bool owns_document(const DriverContext& context, std::string_view id);

// Stacks the documents' float32 embeddings into one [docs.size(), dim] array. Throws
// std::runtime_error naming the first document whose embedding is missing, not float32, or of
// another dim than the first one's.
NdArray stack_embeddings(const std::vector<const Document*>& docs, std::string_view driver);

// Row `row` of a 2-D float32 array, as a 1-D array of shape [dim].
NdArray array_row(const NdArray& rows, std::size_t row);

}  // namespace jflow
