// Kubernetes names from jflow pod names: valid DNS-1035 labels, and clashes resolved by order.
#include <catch2/catch.hpp>

#include "deploy/dns_names.hpp"

using jflow::deploy::dns_label;
using jflow::deploy::unique_labels;

TEST_CASE("dns_label makes a valid label of any jflow name", "[deploy][names]") {
  CHECK(dns_label("encode") == "encode");
  CHECK(dns_label("My_Flow.v2") == "my-flow-v2");
  CHECK(dns_label("__a__b__") == "a-b");
  CHECK(dns_label("2fast") == "p2fast");  // a label starts with a letter
  CHECK(dns_label("-_-") == "flow");      // nothing usable left
  CHECK(dns_label(std::string(80, 'x')).size() == jflow::deploy::kMaxWorkloadName);
  CHECK(dns_label(std::string(51, 'x') + "-y") == std::string(51, 'x'));  // no trailing '-'
}

TEST_CASE("unique_labels resolves clashes in order with -2, -3, and never takes a taken name",
          "[deploy][names]") {
  const auto labels = unique_labels("shop", {"Index", "index", "in_dex", "in-dex", "gateway-x"},
                                    {"shop-gateway-x"});
  CHECK(labels == std::vector<std::string>{"shop-index", "shop-index-2", "shop-in-dex",
                                           "shop-in-dex-2", "shop-gateway-x-2"});
  // Long names keep their suffix within the limit.
  const auto long_labels = unique_labels("f", {std::string(60, 'a'), std::string(61, 'a')}, {});
  CHECK(long_labels[0].size() == jflow::deploy::kMaxWorkloadName);
  CHECK(long_labels[1].size() == jflow::deploy::kMaxWorkloadName);
  CHECK(long_labels[1].substr(long_labels[1].size() - 2) == "-2");
  CHECK(long_labels[0] != long_labels[1]);
}
