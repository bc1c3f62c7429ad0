// `jflow export FLOW.yml --format mermaid|dot|svg|png [-o FILE]`: draw a flow. Pods are boxes;
// a parallel pod is a group holding its head, replicas and tail. Edges carry the socket pair and,
// into replicas, the pod's polling. svg and png are rendered by Graphviz's `dot`, which jflow does
// not bundle: when it is missing the command says so and exits 2.
// `jflow export FLOW.yml --k8s DIR | --compose FILE | --systemd DIR`: deploy it (src/deploy/,
// docs/KUBERNETES.md).
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "deploy/compose.hpp"
#include "deploy/kubernetes.hpp"
#include "deploy/systemd.hpp"
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

// A private folder in $TMPDIR, removed with what is in it.
class TemporaryFolder {
 public:
  TemporaryFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "jflow-export-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("cannot make a temporary folder in " +
                               std::filesystem::temp_directory_path().string() + ": " +
                               std::strerror(errno));
    }
    path_ = pattern;
  }
  ~TemporaryFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryFolder(const TemporaryFolder&) = delete;
  TemporaryFolder& operator=(const TemporaryFolder&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Renders dot text with Graphviz into `output` (stdout when empty); returns dot's exit code.
int render(const std::string& dot_text, const std::string& format, const std::string& output) {
  const auto program = find_on_path("dot");
  if (!program) {
    throw UsageError("--format " + format +
                     " needs Graphviz's `dot`, which is not on PATH: install graphviz (e.g. "
                     "apt-get install graphviz), or use --format dot and render it elsewhere");
  }
  // dot reads the graph from a file, made in a folder of our own (mkdtemp: mode 0700, a fresh
  // name), so nobody else can put a symlink where it is written or read it meanwhile.
  const TemporaryFolder folder;
  const std::filesystem::path input = folder.path() / "flow.dot";
  deploy::write_file(input, dot_text, true);
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
  if (spawned != 0) throw std::runtime_error("could not run " + program->string());
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("Graphviz `dot` failed to render --format " + format);
  }
  return kExitOk;
}

// DIR for --k8s or --systemd: made when missing (its parent must exist), refused when it is
// something else or cannot be written.
std::filesystem::path output_folder(const std::string& option, const std::string& dir) {
  if (dir.empty()) throw UsageError(option + ": expected a folder, got ''");
  const std::filesystem::path path = dir;
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    throw UsageError(option + " " + dir + ": cannot make the folder: " + std::strerror(errno) +
                     (errno == ENOENT ? " (its parent folder must exist)" : ""));
  }
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) {
    throw UsageError(option + " " + dir + ": exists and is not a folder");
  }
  if (::access(path.c_str(), W_OK | X_OK) != 0) {
    throw UsageError(option + " " + dir + ": cannot write in it: " + std::strerror(errno));
  }
  return path;
}

std::filesystem::path this_binary() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error)
    throw std::runtime_error("cannot find the jflow binary (/proc/self/exe): " + error.message());
  return self;
}

int run_deploy(const ExportOptions& options) {
  deploy::DeployOptions deploy_options;
  if (!options.image.empty()) deploy_options.image = options.image;
  deploy_options.curve = !options.insecure;
  const deploy::DeployPlan plan = deploy::plan_deploy(options.flow_file, deploy_options);
  std::vector<std::filesystem::path> written;
  try {
    if (!options.k8s_dir.empty()) {
      written = deploy::write_kubernetes(plan, output_folder("--k8s", options.k8s_dir));
    } else if (!options.compose_file.empty()) {
      const std::filesystem::path file = options.compose_file;
      const std::filesystem::path parent = file.parent_path().empty() ? "." : file.parent_path();
      if (!std::filesystem::is_directory(parent) || ::access(parent.c_str(), W_OK | X_OK) != 0) {
        throw UsageError("--compose " + options.compose_file + ": cannot write in folder '" +
                         parent.string() + "'" +
                         (std::filesystem::exists(parent) ? "" : " (it does not exist)"));
      }
      written = deploy::write_compose(plan, file);
    } else {
      const std::filesystem::path binary = options.jflow_binary.empty()
                                               ? this_binary()
                                               : std::filesystem::absolute(options.jflow_binary);
      written =
          deploy::write_systemd(plan, output_folder("--systemd", options.systemd_dir), binary);
    }
  } catch (const std::runtime_error& error) {
    if (dynamic_cast<const UsageError*>(&error) != nullptr) throw;
    throw UsageError(error.what());
  }
  for (const std::filesystem::path& file : written) std::cout << "wrote " << file.string() << "\n";
  if (plan.options.curve && options.compose_file.empty() && options.systemd_dir.empty()) {
    std::cout << "the Secret in curve-keys.yaml holds fresh CURVE keys: keep it out of version "
                 "control\n";
  }
  return kExitOk;
}

}  // namespace

void setup_export(CLI::App& app, ExportOptions& options) {
  CLI::App* command = app.add_subcommand("export", "Draw a flow: pods, peas, sockets and polling");
  command->add_option("flow", options.flow_file, "The flow's YAML file")->required();
  auto* format = command
                     ->add_option("-f,--format", options.format,
                                  "mermaid, dot, svg or png (svg and png need Graphviz)")
                     ->check(CLI::IsMember({"mermaid", "dot", "svg", "png"}))
                     ->capture_default_str();
  auto* output = command->add_option("-o,--output", options.output,
                                     "Write to FILE instead of standard output");
  auto* k8s = command->add_option("--k8s", options.k8s_dir,
                                  "Write Kubernetes manifests into DIR (docs/KUBERNETES.md)");
  auto* compose =
      command->add_option("--compose", options.compose_file, "Write a Docker Compose FILE");
  auto* systemd = command->add_option("--systemd", options.systemd_dir,
                                      "Write systemd units into DIR, for one machine");
  k8s->excludes(compose)->excludes(systemd)->excludes(output)->excludes(format);
  compose->excludes(format);
  systemd->excludes(format);
  compose->excludes(systemd)->excludes(output);
  systemd->excludes(output);
  command->add_option("--image", options.image,
                      std::string("--k8s, --compose: the container image (default ") +
                          deploy::kDefaultImage + ", built by the repo's Dockerfile)");
  command->add_flag("--insecure", options.insecure,
                    "--k8s, --compose, --systemd: plain tcp between workloads, no CURVE keys");
  command->add_option("--jflow-binary", options.jflow_binary,
                      "--systemd: the jflow binary units run (default: this one)");
  command->footer(
      "Exit codes: 0 drawn or written; 2 bad flow file, bad option, unwritable output, or "
      "Graphviz missing.");
}

int run_export(const ExportOptions& options) {
  const bool deploying =
      !options.k8s_dir.empty() || !options.compose_file.empty() || !options.systemd_dir.empty();
  if (!deploying && (!options.image.empty() || options.insecure || !options.jflow_binary.empty())) {
    throw UsageError(
        "--image, --insecure and --jflow-binary go with --k8s, --compose or --systemd");
  }
  if (deploying) return run_deploy(options);
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
