// One pea's status or one pod's health out of a running flow's lists, failing the test when the
// flow has none by that name. Shared, not copied per test file: the unity build compiles several
// test files as one, where two copies in anonymous namespaces collide.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "jflow/flow.hpp"

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

}  // namespace jflow::test
