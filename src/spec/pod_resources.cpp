// `resources:` of a pod: what its workload asks of a Kubernetes node (or a Compose or systemd
// host). jflow itself never enforces them; `jflow export` writes them out. They are checked here,
// at the line they were written, because a cluster would refuse a bad quantity only at apply
// time, far from the flow file.
#include <cctype>

#include "spec/spec_support.hpp"

namespace jflow::spec {
namespace {

// A Kubernetes quantity as people write them: a decimal number and an optional suffix, binary
// (Ki … Ei) or decimal (m, k, M … E). The exponent forms (1e3) are valid too but rarely meant;
// refusing them keeps the message short and the output obvious.
bool is_quantity(const std::string& text) {
  std::size_t i = 0;
  std::size_t digits = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
  }
  if (digits == 0) return false;
  static const char* const kSuffixes[] = {"",  "m",  "k",  "M",  "G",  "T",  "P",
                                          "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
  const std::string suffix = text.substr(i);
  for (const char* known : kSuffixes) {
    if (suffix == known) return true;
  }
  return false;
}

void read_amounts(const Field& field, std::string& cpu, std::string& memory) {
  if (!field.value.IsMap()) {
    field.fail("resources: " + field.key +
               ": expected a map like {cpu: 500m, memory: 256Mi}, got " + describe(field.value));
  }
  MapReader keys(field.value, *field.file, "resources: " + field.key, {"cpu", "memory"});
  keys.check_keys();
  const auto quantity = [&](const char* key, std::string& out) {
    auto amount = keys.get(key);
    if (!amount) return;
    out = amount->as_string();
    if (!is_quantity(out)) {
      amount->fail(
          "resources: " + field.key + ": " + key + ": expected a Kubernetes quantity like " +
          (std::string(key) == "cpu" ? "500m or 2" : "256Mi or 1Gi") + ", got '" + out + "'");
    }
  };
  quantity("cpu", cpu);
  quantity("memory", memory);
}

}  // namespace

void read_pod_resources(const Field& field, PodSpec& pod) {
  if (!field.value.IsMap()) {
    field.fail(
        "resources: expected a map like {requests: {cpu: 500m, memory: 256Mi}, limits: "
        "{memory: 512Mi}}, got " +
        describe(field.value));
  }
  MapReader keys(field.value, *field.file, "resources", {"requests", "limits"});
  keys.check_keys();
  PodResources resources;
  if (auto requests = keys.get("requests")) {
    read_amounts(*requests, resources.cpu_request, resources.memory_request);
  }
  if (auto limits = keys.get("limits")) {
    read_amounts(*limits, resources.cpu_limit, resources.memory_limit);
  }
  pod.resources = resources;
  pod.key_where["resources"] = field.where();
}

}  // namespace jflow::spec
