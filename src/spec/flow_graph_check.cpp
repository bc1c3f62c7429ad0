// The checks of a flow's shape, run by the YAML parser, FlowBuilder::build() and build_flow_graph()
// alike, so that a flow that cannot run is refused before anything starts, with the location of
// the key or `needs` entry to fix. Each message says what is wrong and how it is usually fixed.
#include <algorithm>
#include <functional>

#include "spec/spec_support.hpp"

namespace jflow::spec {
namespace {

constexpr std::size_t kMaxPodNameBytes = 200;

// Where to point at for `key` of `pod`: the key when it was written, else the pod.
SourceLocation where_of(const PodSpec& pod, std::string_view key) {
  const auto found = pod.key_where.find(key);
  return found != pod.key_where.end() ? found->second : pod.where;
}

SourceLocation where_of_need(const PodSpec& pod, std::size_t entry) {
  if (pod.needs_where.size() == pod.needs.size()) return pod.needs_where[entry];
  return where_of(pod, "needs");
}

class TopologyChecker {
 public:
  explicit TopologyChecker(const FlowSpec& spec) : spec_(spec) {
    for (const PodSpec& pod : spec_.pods) names_.push_back(pod.name);
  }

  void check() const {
    if (spec_.pods.empty()) throw SpecError({spec_.source, 0, 0}, "a flow needs at least one pod");
    for (std::size_t i = 0; i < spec_.pods.size(); ++i) {
      const PodSpec& pod = spec_.pods[i];
      if (index_of(pod.name) != i) {
        throw SpecError(where_of(pod, "name"), "duplicate pod name '" + pod.name + "'");
      }
      if (pod.name.size() > kMaxPodNameBytes) {
        throw SpecError(where_of(pod, "name"),
                        "pod name of " + std::to_string(pod.name.size()) + " bytes; at most " +
                            std::to_string(kMaxPodNameBytes) +
                            " (its peas' names, the pod name with a suffix such as /head or /12, "
                            "are ZeroMQ identities, which stop at 255 bytes)");
      }
    }
    for (const PodSpec& pod : spec_.pods) {
      check_shape(pod);
      check_needs(pod);
    }
    check_cycles();
    check_single_sink();
    check_reachable();
  }

 private:
  std::optional<std::size_t> index_of(const std::string& name) const {
    const auto found = std::find(names_.begin(), names_.end(), name);
    if (found == names_.end()) return std::nullopt;
    return static_cast<std::size_t>(found - names_.begin());
  }

  // Pod-local rules; the YAML parser checks most of them already, FlowBuilder specs and specs
  // made by hand meet them here.
  static void check_shape(const PodSpec& pod) {
    const std::string owner = "pod '" + pod.name + "': ";
    if (pod.parallel < 1) {
      throw SpecError(where_of(pod, "parallel"),
                      owner + "parallel must be at least 1, got 0 (1 runs the pod as one pea)");
    }
    if (pod.join_timeout <= Duration::zero()) {
      throw SpecError(where_of(pod, "join_timeout"), owner + "join_timeout must be greater than 0");
    }
    // The tail of a polling-all pod receives one answer per shard; without a reducer it would
    // have nothing that turns N answers into the one its downstream expects.
    if (pod.polling == Polling::all && pod.parallel > 1 && pod.uses_after.by_type.empty()) {
      const SourceLocation where =
          pod.key_where.count("polling") ? where_of(pod, "polling") : where_of(pod, "parallel");
      throw SpecError(where, owner +
                                 "polling: all needs a reducer in uses_after, e.g. "
                                 "uses_after: _merge_matches");
    }
    // Only a polling-all tail gathers one answer per shard; with polling any a lost replica's
    // requests go to another replica, so there is no partial result to flag.
    if (pod.partial_results == PartialResults::flag && pod.polling != Polling::all) {
      throw SpecError(where_of(pod, "partial_results"),
                      owner +
                          "partial_results: flag needs polling: all (with polling any, a lost "
                          "replica's requests go to a live replica instead)");
    }
  }

  void check_needs(const PodSpec& pod) const {
    if (pod.needs.empty()) {
      throw SpecError(where_of(pod, "needs"), "pod '" + pod.name + "' needs nothing");
    }
    for (std::size_t i = 0; i < pod.needs.size(); ++i) {
      const std::string& need = pod.needs[i];
      const SourceLocation where = where_of_need(pod, i);
      if (need == pod.name) throw SpecError(where, "pod '" + pod.name + "' needs itself");
      if (need == kGateway) {
        if (pod.needs.size() > 1) {
          // The gateway sends each request to the pods that need it, and a join waits for one
          // part from each sender; mixing the two would make the join wait for a part the
          // gateway path delivers at a different time, for no gain over an explicit pod.
          throw SpecError(where, "pod '" + pod.name +
                                     "' needs gateway and other pods: a pod needs either only "
                                     "gateway (it starts from the request) or only pods (it "
                                     "joins their outputs); to join the request itself, add a "
                                     "pod with needs: gateway and need that pod instead");
        }
        continue;
      }
      if (!index_of(need)) {
        std::vector<std::string> candidates = names_;
        candidates.emplace_back(kGateway);
        std::erase(candidates, pod.name);
        throw SpecError(where, "pod '" + pod.name + "' needs unknown pod '" + need + "'" +
                                   did_you_mean(need, candidates));
      }
    }
  }

  // A depth-first search along `needs`; a pod met again while still on the path closes a cycle.
  void check_cycles() const {
    enum class Mark { unvisited, on_path, done };
    std::vector<Mark> marks(spec_.pods.size(), Mark::unvisited);
    std::vector<std::size_t> path;
    std::function<void(std::size_t)> visit = [&](std::size_t pod) {
      marks[pod] = Mark::on_path;
      path.push_back(pod);
      for (const std::string& need : spec_.pods[pod].needs) {
        const auto upstream = index_of(need);
        if (!upstream) continue;  // gateway
        if (marks[*upstream] == Mark::on_path) {
          const auto start = std::find(path.begin(), path.end(), *upstream);
          report_cycle(std::vector<std::size_t>(start, path.end()));
        }
        if (marks[*upstream] == Mark::unvisited) visit(*upstream);
      }
      path.pop_back();
      marks[pod] = Mark::done;
    };
    for (std::size_t pod = 0; pod < spec_.pods.size(); ++pod) {
      if (marks[pod] == Mark::unvisited) visit(pod);
    }
  }

  // `needs_path` runs against the data: each pod needs the next, and the last needs the first.
  [[noreturn]] void report_cycle(std::vector<std::size_t> needs_path) const {
    // Told in the direction requests flow, starting at the pod written first.
    std::vector<std::size_t> cycle(needs_path.rbegin(), needs_path.rend());
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    std::string text;
    for (std::size_t pod : cycle) text += spec_.pods[pod].name + " -> ";
    text += spec_.pods[cycle.front()].name;
    // The first pod's `needs` entry naming the last pod is the edge that closes the cycle.
    const PodSpec& first = spec_.pods[cycle.front()];
    const std::string& closing = spec_.pods[cycle.back()].name;
    const auto entry = std::find(first.needs.begin(), first.needs.end(), closing);
    throw SpecError(where_of_need(first, static_cast<std::size_t>(entry - first.needs.begin())),
                    "cycle: " + text + " (a pod cannot need a pod that needs it, directly or not)");
  }

  // The Flow returns one reply per request, taken from one pod: every other pod's output must
  // go somewhere, or it would be computed and thrown away.
  void check_single_sink() const {
    std::vector<bool> needed(spec_.pods.size(), false);
    for (const PodSpec& pod : spec_.pods) {
      for (const std::string& need : pod.needs) {
        if (auto upstream = index_of(need)) needed[*upstream] = true;
      }
    }
    if (std::count(needed.begin(), needed.end(), false) <= 1) return;
    for (std::size_t i = 0; i + 1 < spec_.pods.size(); ++i) {
      if (needed[i]) continue;
      const PodSpec& pod = spec_.pods[i];
      throw SpecError(where_of(pod, "name"),
                      "pod '" + pod.name +
                          "' is dangling: no pod needs it and it is not the flow's last pod "
                          "(a flow has one last pod, whose output is the reply; make a later pod "
                          "need it)");
    }
  }

  // With acyclic, non-empty `needs` every pod traces back to the gateway; this guards specs
  // that reach build_flow_graph() some other way.
  void check_reachable() const {
    std::vector<bool> reached(spec_.pods.size(), false);
    bool grew = true;
    while (grew) {
      grew = false;
      for (std::size_t i = 0; i < spec_.pods.size(); ++i) {
        if (reached[i]) continue;
        for (const std::string& need : spec_.pods[i].needs) {
          const auto upstream = index_of(need);
          if (need == kGateway || (upstream && reached[*upstream])) {
            reached[i] = grew = true;
            break;
          }
        }
      }
    }
    for (std::size_t i = 0; i < spec_.pods.size(); ++i) {
      if (reached[i]) continue;
      const PodSpec& pod = spec_.pods[i];
      throw SpecError(where_of(pod, "needs"),
                      "pod '" + pod.name +
                          "' is unreachable: no path of needs leads from the "
                          "gateway to it");
    }
  }

  const FlowSpec& spec_;
  std::vector<std::string> names_;
};

}  // namespace

void check_topology(const FlowSpec& spec) {
  TopologyChecker(spec).check();
}

}  // namespace jflow::spec
