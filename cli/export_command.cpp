// `jflow export FLOW.yml --format mermaid|dot|svg|png [-o FILE]`: draw a flow. Pods are boxes;
// a parallel pod is a group holding its head, replicas and tail. Edges carry the socket pair and,
// into replicas, the pod's polling. svg and png are rendered by Graphviz's `dot`, which jflow does
// not bundle: when it is missing the command says so and exits 2.
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "flow_text.hpp"
#include "spec/flow_graph.hpp"

extern char** environ;

namespace jflow::cli {
namespace {

struct Edge {
  std::string from;  // pea name, or "gateway" for the Flow sending requests
  std::string to;    // pea name, or "gateway" for the Flow taking replies
  std::string label;
};

// Every data edge of the graph, in pea order: gateway to entry pods, each pea to its
// downstream, each head to its replicas.
std::vector<Edge> edges_of(const FlowGraph& graph) {
  std::vector<Edge> edges;
  for (const std::string& pod : graph.entry_pods) {
    edges.push_back({kGateway, graph.find_pod(pod)->entry, "PUSH -> PULL"});
  }
  for (const PeaPlan& pea : graph.peas) {
    if (pea.role == PeaRole::replica) {
      edges.push_back(
          {pea.head, pea.name, "ROUTER -> DEALER, " + spread_text(*graph.find_pod(pea.pod))});
    }
    for (const std::string& to : pea.downstream) {
      std::string label = edge_sockets(graph, pea.name, to);
      if (is_join_edge(graph, pea.name, to)) label += ", join";
      edges.push_back({pea.name, to, label});
    }
  }
  return edges;
}

std::string pea_label(const PeaPlan& pea) {
  const std::string drivers = short_chains(pea.drivers);
  const std::string role =
      pea.role == PeaRole::single ? "" : " (" + std::string(pea_role_name(pea.role)) + ")";
  return pea.name + role + "\\n" + drivers;
}

std::string pod_title(const PodPlan& pod) {
  return pod.name + ": parallel " + std::to_string(pod.parallel) + ", " + spread_text(pod);
}

// Mermaid ids must be plain words; pea names hold '/' and '-'.
std::string mermaid_id(const std::string& pea, bool into) {
  if (pea == kGateway) return into ? "gateway_out" : "gateway_in";
  std::string id = "pea_";
  for (char c : pea) id += (c == '/' || c == '-') ? '_' : c;
  return id;
}

std::string mermaid(const FlowGraph& graph) {
  std::ostringstream out;
  const auto node = [&](const PeaPlan& pea, const char* indent) {
    std::string label = pea_label(pea);
    label.replace(label.find("\\n"), 2, "<br/>");
    out << indent << mermaid_id(pea.name, false) << "[\"" << label << "\"]\n";
  };
  out << "flowchart LR\n";
  out << "  gateway_in([\"gateway\"])\n";
  for (const PodPlan& pod : graph.pods) {
    if (pod.parallel == 1) {
      node(*graph.find_pea(pod.name), "  ");
      continue;
    }
    out << "  subgraph pod_" << mermaid_id(pod.name, false).substr(4) << "[\"" << pod_title(pod)
        << "\"]\n";
    for (const PeaPlan& pea : graph.peas) {
      if (pea.pod == pod.name) node(pea, "    ");
    }
    out << "  end\n";
  }
  out << "  gateway_out([\"gateway\"])\n";
  for (const Edge& edge : edges_of(graph)) {
    out << "  " << mermaid_id(edge.from, false) << " -->|\"" << edge.label << "\"| "
        << mermaid_id(edge.to, true) << "\n";
  }
  return out.str();
}

std::string dot_id(const std::string& pea, bool into) {
  if (pea == kGateway) return into ? "\"gateway (replies)\"" : "\"gateway\"";
  return "\"" + pea + "\"";
}

std::string dot(const FlowGraph& graph) {
  std::ostringstream out;
  const auto node = [&](const PeaPlan& pea, const char* indent) {
    out << indent << dot_id(pea.name, false) << " [label=\"" << pea_label(pea) << "\"];\n";
  };
  out << "digraph flow {\n  rankdir=LR;\n  node [shape=box, style=rounded, "
         "fontname=\"Helvetica\"];\n"
      << "  edge [fontname=\"Helvetica\", fontsize=10];\n"
      << "  \"gateway\" [shape=oval];\n  \"gateway (replies)\" [shape=oval, label=\"gateway\"];\n";
  for (const PodPlan& pod : graph.pods) {
    if (pod.parallel == 1) {
      node(*graph.find_pea(pod.name), "  ");
      continue;
    }
    out << "  subgraph \"cluster_" << pod.name << "\" {\n    label=\"" << pod_title(pod)
        << "\";\n    style=dashed;\n";
    for (const PeaPlan& pea : graph.peas) {
      if (pea.pod == pod.name) node(pea, "    ");
    }
    out << "  }\n";
  }
  for (const Edge& edge : edges_of(graph)) {
    out << "  " << dot_id(edge.from, false) << " -> " << dot_id(edge.to, true) << " [label=\""
        << edge.label << "\"];\n";
  }
  out << "}\n";
  return out.str();
}

std::optional<std::filesystem::path> find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream folders(path == nullptr ? "" : path);
  std::string folder;
  while (std::getline(folders, folder, ':')) {
    const std::filesystem::path candidate =
        std::filesystem::path(folder.empty() ? "." : folder) / program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

// Renders dot text with Graphviz into `output` (stdout when empty); returns dot's exit code.
int render(const std::string& dot_text, const std::string& format, const std::string& output) {
  const auto program = find_on_path("dot");
  if (!program) {
    throw UsageError("--format " + format +
                     " needs Graphviz's `dot`, which is not on PATH: install graphviz (e.g. "
                     "apt-get install graphviz), or use --format dot and render it elsewhere");
  }
  // dot reads the graph from a file: simpler and safer than feeding a pipe while it writes ours.
  const std::filesystem::path input = std::filesystem::temp_directory_path() /
                                      ("jflow-export-" + std::to_string(::getpid()) + ".dot");
  std::ofstream(input) << dot_text;
  std::vector<std::string> args = {program->string(), "-T" + format};
  if (!output.empty()) args.insert(args.end(), {"-o", output});
  args.push_back(input.string());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  std::cout.flush();
  pid_t pid = 0;
  const int spawned = ::posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ);
  int status = 0;
  if (spawned == 0) ::waitpid(pid, &status, 0);
  std::filesystem::remove(input);
  if (spawned != 0) throw std::runtime_error("could not run " + program->string());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("Graphviz `dot` failed to render --format " + format);
  }
  return kExitOk;
}

}  // namespace

void setup_export(CLI::App& app, ExportOptions& options) {
  CLI::App* command = app.add_subcommand("export", "Draw a flow: pods, peas, sockets and polling");
  command->add_option("flow", options.flow_file, "The flow's YAML file")->required();
  command
      ->add_option("-f,--format", options.format,
                   "mermaid, dot, svg or png (svg and png need Graphviz)")
      ->check(CLI::IsMember({"mermaid", "dot", "svg", "png"}))
      ->capture_default_str();
  command->add_option("-o,--output", options.output, "Write to FILE instead of standard output");
  command->footer("Exit codes: 0 drawn; 2 bad flow file, bad option, or Graphviz missing.");
}

int run_export(const ExportOptions& options) {
  const FlowGraph graph = build_flow_graph(load_flow_yaml(options.flow_file));
  if (options.format == "svg" || options.format == "png") {
    return render(dot(graph), options.format, options.output);
  }
  const std::string text = options.format == "dot" ? dot(graph) : mermaid(graph);
  if (options.output.empty()) {
    std::cout << text;
    return kExitOk;
  }
  std::ofstream out(options.output);
  if (!(out << text)) throw UsageError("cannot write '" + options.output + "'");
  return kExitOk;
}

}  // namespace jflow::cli
