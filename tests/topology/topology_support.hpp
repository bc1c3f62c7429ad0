// Helpers shared by the topology tests: flows from a few lines of YAML, one-document requests,
// which replica served a reply, and a test driver that gives each shard its own matches.
#pragma once

#include <string>

#include "drivers/merge_matches_driver.hpp"
#include "jflow/message.hpp"
#include "support/test_support.hpp"

namespace jflow::test {

inline FlowSpec flow_from_yaml(const std::string& pods,
                               const DriverRegistry& registry = builtin_drivers()) {
  return parse_flow_yaml("version: 1\npods:\n" + pods, "topology-test.yml", process_environment(),
                         registry);
}

inline Request doc_request(const std::string& id) {
  Request request = test::text_request("text of " + id);
  request.docs[0].id = id;
  return request;
}

// Which replica of `pod` served a reply, from its routes.
inline std::string replica_of(const Response& response, const std::string& pod) {
  for (const Route& route : response.envelope.routes) {
    if (route.pod == pod && route.pea.find('/') != std::string::npos &&
        route.pea.find("/head") == std::string::npos &&
        route.pea.find("/tail") == std::string::npos)
      return route.pea;
  }
  return "";
}

// A shard's "search result": matches derived from the shard and the document, so the test can
// compute the global top-k of the union itself.
inline double shard_score(std::size_t shard, std::size_t j) {
  return static_cast<double>((shard * 7 + j * 3) % 10) / 10.0 + static_cast<double>(shard) * 0.01;
}

class ShardMatchDriver final : public Driver {
 public:
  std::string_view kind() const override { return "ShardMatchDriver"; }
  DriverResult handle(Message& message, const DriverContext& context) override {
    for (Document& doc : message.request().docs) {
      for (std::size_t j = 0; j < 4; ++j) {
        Document match;
        match.id = "s" + std::to_string(context.replica) + "-" + std::to_string(j);
        match.score = shard_score(context.replica, j);
        doc.matches.push_back(std::move(match));
      }
    }
    return DriverResult::next();
  }
};

inline DriverRegistry registry_with_shard_matches() {
  DriverRegistry registry = builtin_drivers();
  registry.add({"ShardMatchDriver", "test: per-shard matches", {}}, [](DriverOptions& options) {
    options.finish();
    return std::make_unique<ShardMatchDriver>();
  });
  return registry;
}

}  // namespace jflow::test
