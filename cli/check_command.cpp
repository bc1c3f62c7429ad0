// `jflow check FLOW.yml`: validate a flow and print the peas it expands into, with their drivers
// and sockets, without starting anything. `jflow check` alone lists what `uses` may name: the
// registered drivers with their options, and the aliases.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "flow_text.hpp"
#include "jflow/executor.hpp"
#include "spec/flow_graph.hpp"

namespace jflow::cli {
namespace {

std::string list(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + name;
  return text;
}

void print_options(const std::vector<DriverOptionInfo>& options) {
  for (const DriverOptionInfo& option : options) {
    std::cout << "      " << option.name << " (" << option.type
              << (option.default_value.empty() ? "" : ", default " + option.default_value) << ")"
              << (option.help.empty() ? "" : ": " + option.help) << "\n";
  }
}

void print_executors(const ExecutorRegistry& registry) {
  std::cout << "\nExecutors (uses: Kind, or uses: !Kind {with: {option: value}}):\n";
  for (const std::string& kind : registry.kinds()) {
    const ExecutorInfo& info = *registry.info(kind);
    std::cout << "  " << kind << (info.summary.empty() ? "" : ": " + info.summary) << "\n";
    print_options(info.options);
    std::cout << "      default requests: " << info.default_requests << "\n";
  }
}

void print_drivers(const DriverRegistry& registry) {
  std::cout << "Drivers (uses: [!Kind {option: value}]):\n";
  for (const std::string& kind : registry.kinds()) {
    const DriverInfo& info = *registry.info(kind);
    std::cout << "  " << kind << (info.summary.empty() ? "" : ": " + info.summary) << "\n";
    print_options(info.options);
  }
  std::cout << "\nAliases (uses: _name):\n";
  for (const UsesAlias& alias : uses_aliases()) {
    std::cout << "  " << alias.name << " = [!" << alias.kind << " {}]\n";
  }
}

// What one pea binds and connects to, line by line, in the order the runtime wires them.
std::vector<std::string> socket_lines(const FlowSpec& spec, const FlowGraph& graph,
                                      const PeaPlan& pea) {
  std::vector<std::string> lines;
  if (pea.role == PeaRole::replica) {
    lines.push_back("connects DEALER -> " + pea.head + " (gives it credit, takes requests)");
  } else {
    std::string from;
    if (pea.role == PeaRole::tail) {
      from = "its replicas";
    } else {
      std::vector<std::string> senders;
      for (const std::string& need : graph.find_pod(pea.pod)->needs) {
        senders.push_back(need == kGateway ? need : graph.find_pod(need)->exit);
      }
      from = list(senders);
    }
    lines.push_back("binds PULL " + bind_pattern(spec, pea, "in") + " (from " + from + ")");
  }
  if (pea.role == PeaRole::head) {
    const PodPlan& pod = *graph.find_pod(pea.pod);
    std::vector<std::string> replicas;
    for (const PeaPlan& other : graph.peas) {
      if (other.head == pea.name) replicas.push_back(other.name);
    }
    lines.push_back("binds ROUTER " + bind_pattern(spec, pea, "router") + " (to " + list(replicas) +
                    "; " + spread_text(pod) + ")");
  }
  if (!pea.join_from.empty()) {
    const PodSpec& pod = *std::find_if(spec.pods.begin(), spec.pods.end(),
                                       [&](const PodSpec& p) { return p.name == pea.pod; });
    lines.push_back("joins " + list(pea.join_from) + " (waits up to the deadline, or " +
                    format_duration(pod.join_timeout) + " without one)");
  }
  if (pea.role == PeaRole::head) {
    // The head's data goes out over its ROUTER; this PUSH carries only the errors it ends for a
    // lost replica's requests, so that they leave through the tail like every other answer.
    lines.push_back("connects PUSH -> " + pea.pod + "/tail (errors for a lost replica's requests)");
  }
  for (const std::string& to : pea.downstream) {
    lines.push_back("connects PUSH -> " +
                    (to == kGateway ? std::string("gateway (the flow's results PULL)") : to));
  }
  return lines;
}

void print_pod(const FlowSpec& spec, const FlowGraph& graph, const PodSpec& pod) {
  const PodPlan& plan = *graph.find_pod(pod.name);
  std::cout << "\npod " << pod.name << ": needs " << list(plan.needs);
  if (plan.parallel > 1) std::cout << "; parallel " << plan.parallel << ", " << spread_text(plan);
  std::cout << "\n";
  if (pod.executor) {
    const ExecutorSpec& executor = *pod.executor;
    std::cout << "  executor " << executor.kind << " " << executor.with_yaml << " (metas name "
              << executor.name << ", workspace "
              << (executor.workspace.empty() ? std::string("none: state stays in memory")
                                             : executor.workspace.string())
              << ")\n";
  }
  if (plan.parallel == 1 && (!pod.uses_before.by_type.empty() || !pod.uses_after.by_type.empty())) {
    std::cout << "  note: uses_before/uses_after are ignored with parallel 1 (no head or tail)\n";
  }
  for (const PeaPlan& pea : graph.peas) {
    if (pea.pod != pod.name) continue;
    const std::string where = pea.host.empty() ? "" : " on the daemon at " + pea.host;
    std::printf("  %-20s %-8s %s%s\n", pea.name.c_str(),
                std::string(pea_role_name(pea.role)).c_str(),
                std::string(runtime_name(pea.runtime)).c_str(), where.c_str());
    const std::vector<std::string> chains = describe_chains(pea.drivers);
    if (chains.empty()) std::cout << "      drivers: none (forwards every request)\n";
    for (const std::string& chain : chains) std::cout << "      drivers: " << chain << "\n";
    for (const std::string& line : socket_lines(spec, graph, pea)) {
      std::cout << "      " << line << "\n";
    }
  }
}

}  // namespace

void setup_check(CLI::App& app, CheckOptions& options) {
  CLI::App* check = app.add_subcommand(
      "check", "Validate a flow and print its peas and sockets, without starting anything");
  check->add_option(
      "flow", options.flow_file,
      "The flow's YAML file (leave out to list the drivers, executors and uses aliases)");
  check->footer(
      "Exit codes: 0 the flow is valid; 2 it is not (printed as file:line:col: message).");
}

int run_check(const CheckOptions& options) {
  if (options.flow_file.empty()) {
    print_drivers(registered_drivers());
    print_executors(registered_executors());
    std::cout << "\nCheck a flow with: jflow check FLOW.yml\n";
    return kExitOk;
  }
  const FlowSpec spec = load_flow_yaml(options.flow_file);
  const FlowGraph graph = build_flow_graph(spec);
  std::cout << options.flow_file << ": ok: " << graph.pods.size() << " pods, " << graph.peas.size()
            << " peas, transport " << transport_name(spec.transport);
  if (spec.transport == Transport::tcp) std::cout << " on " << spec.host;
  if (spec.curve) {
    std::cout << "\nlinks encrypted with CURVE: this orchestrator's key "
              << spec.curve->key.string() << ", " << spec.curve->hosts.size() << " daemon key(s)";
  }
  std::cout << "\ngateway sends each request to " << list(graph.entry_pods)
            << "; the reply comes from " << graph.sink_pod << "\n";
  for (const PodSpec& pod : spec.pods) print_pod(spec, graph, pod);
  return kExitOk;
}

}  // namespace jflow::cli
