// Kubernetes names from jflow names. A Service's name must be a DNS-1035 label (lowercase letters,
// digits and '-', starting with a letter, ending with a letter or digit, at most 63 characters);
// a StatefulSet's pods add "-N" and a revision hash label to it, so workloads keep to 52. Pod
// names allow '_' and capitals, so two pods can map to one label ("Encode" and "encode",
// "enc_1" and "enc-1"): the later one in the flow file gets "-2" (then "-3", …), shortened to fit.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace jflow::deploy {

inline constexpr std::size_t kMaxWorkloadName = 52;

// `text` as a DNS-1035 label of at most `max` characters: lowercased, each run of other
// characters one '-', a leading digit or '-' dropped (or "p" put before it when nothing would be
// left), trimmed to `max`; "flow" when nothing usable is left.
std::string dns_label(std::string_view text, std::size_t max = kMaxWorkloadName);

// One label per name, each "PREFIX-LABEL", none equal to another or to any of `taken`; clashes
// get "-2", "-3", … in the order the names are given.
std::vector<std::string> unique_labels(const std::string& prefix,
                                       const std::vector<std::string>& names,
                                       std::vector<std::string> taken);

}  // namespace jflow::deploy
