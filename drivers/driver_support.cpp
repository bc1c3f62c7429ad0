#include "drivers/driver_support.hpp"

#include <cmath>
#include <variant>

#include "jflow/shard.hpp"

namespace jflow {

void throw_not_attached(std::string_view driver) {
  throw std::runtime_error(std::string(driver) +
                           " has no executor: attach() was not called before handle()");
}

std::size_t top_k_from_parameters(const Request& request, std::size_t fallback,
                                  std::string_view driver) {
  auto it = request.parameters.find("top_k");
  if (it == request.parameters.end()) return fallback;
  const Value& value = it->second;
  if (const auto* integer = std::get_if<std::int64_t>(&value); integer && *integer > 0) {
    return static_cast<std::size_t>(*integer);
  }
  // Clients that speak JSON may send every number as a float.
  if (const auto* real = std::get_if<double>(&value);
      real && *real >= 1 && *real <= 1e15 && std::floor(*real) == *real) {
    return static_cast<std::size_t>(*real);
  }
  std::string shown;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    shown = std::to_string(*integer);
  } else if (const auto* real = std::get_if<double>(&value)) {
    shown = std::to_string(*real);
  } else if (const auto* text = std::get_if<std::string>(&value)) {
    shown = "\"" + *text + "\"";
  } else if (const auto* flag = std::get_if<bool>(&value)) {
    shown = *flag ? "true" : "false";
  } else {
    shown = "null";
  }
  throw std::invalid_argument(std::string(driver) +
                              ": request parameter top_k must be a positive integer, got " + shown);
}

bool owns_document(const DriverContext& context, std::string_view id) {
  return context.shards <= 1 || shard_of(id, context.shards) == context.replica;
}

NdArray stack_embeddings(const std::vector<const Document*>& docs, std::string_view driver) {
  std::vector<float> values;
  std::size_t dim = 0;
  for (const Document* doc : docs) {
    const NdArray& embedding = doc->embedding;
    if (embedding.empty() || embedding.bytes.empty()) {
      throw std::runtime_error(std::string(driver) + ": document '" + doc->id +
                               "' has no embedding: encode it first");
    }
    if (embedding.dtype != DType::float32) {
      throw std::runtime_error(std::string(driver) + ": document '" + doc->id + "' has a " +
                               std::string(dtype_name(embedding.dtype)) +
                               " embedding, expected float32");
    }
    auto row = embedding.view<float>();
    if (doc == docs.front()) dim = row.size();
    if (row.size() != dim) {
      throw std::runtime_error(std::string(driver) + ": document '" + doc->id +
                               "' has an embedding of " + std::to_string(row.size()) +
                               " values, expected " + std::to_string(dim));
    }
    values.insert(values.end(), row.begin(), row.end());
  }
  return NdArray::from_floats(values, {docs.size(), dim});
}

NdArray array_row(const NdArray& rows, std::size_t row) {
  auto values = rows.view<float>();
  std::size_t dim = rows.shape.at(1);
  return NdArray::from_floats(values.subspan(row * dim, dim), {dim});
}

}  // namespace jflow
