// One pea's status or one pod's health out of a running flow's lists, failing the test when the
// flow has none by that name; a replica's credit out of its metrics. Shared, not copied per test
// file: the unity build compiles several test files as one, where two copies in anonymous
// namespaces collide.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "jflow/flow.hpp"
#include "jflow/metrics.hpp"

namespace jflow::test {

inline PeaStatus pea_status(const Flow& flow, const std::string& name) {
  for (const PeaStatus& pea : flow.status()) {
    if (pea.pea == name) return pea;
  }
  FAIL("no pea '" << name << "'");
  return {};
}

inline PodHealth pod_health(const Flow& flow, const std::string& pod) {
  for (const PodHealth& health : flow.health()) {
    if (health.pod == pod) return health;
  }
  FAIL("no pod '" << pod << "'");
  return {};
}

// A replica's credit as its head last reported it (jflow/metrics.hpp), nullopt when none has
// been reported since the flow started or the replica was restarted. A restarted replica reports
// itself wired once it has sent its head credit, maybe before the head has read it: a test that
// needs the head to use the replica again waits for this.
inline std::optional<std::uint64_t> replica_credit(const Flow& flow, const std::string& replica) {
  for (const PeaMetrics& pea : flow.metrics().peas) {
    if (pea.pea == replica) return pea.credit;
  }
  return std::nullopt;
}

}  // namespace jflow::test
