#include "deploy/deploy_plan.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "deploy/dns_names.hpp"
#include "jflow/curve_keys.hpp"
#include "jflow/defaults.hpp"

namespace jflow::deploy {
namespace {

bool names_yaml_file(const std::string& uses) {
  const auto ends_with = [&](std::string_view end) {
    return uses.size() > end.size() && uses.compare(uses.size() - end.size(), end.size(), end) == 0;
  };
  return uses.find('\n') == std::string::npos && (ends_with(".yml") || ends_with(".yaml"));
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read '" + path.string() + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A ConfigMap key: letters, digits, '-', '_' and '.'.
std::string config_key(const std::string& uses, const std::map<std::string, std::string>& taken) {
  std::string key;
  for (char c : std::filesystem::path(uses).filename().string()) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    key += ok ? c : '-';
  }
  const std::string base = key;
  for (int n = 2; taken.count(key) || key == kFlowFileName; ++n)
    key = std::to_string(n) + "-" + base;
  return key;
}

void drop_runtime(YAML::Node map) {
  if (map.IsMap() && map["runtime"]) map.remove("runtime");
}

}  // namespace

DeployPlan plan_deploy(const std::filesystem::path& flow_file, DeployOptions options) {
  const FlowSpec spec = load_flow_yaml(flow_file);
  DeployPlan plan;
  plan.source = flow_file;
  plan.options = std::move(options);
  plan.flow = dns_label(flow_file.stem().string(), 40);
  plan.orchestrator = plan.flow + "-gateway";
  std::vector<std::string> pods;
  for (const PodSpec& pod : spec.pods) pods.push_back(pod.name);
  const std::vector<std::string> labels = unique_labels(plan.flow, pods, {plan.orchestrator});
  for (std::size_t i = 0; i < spec.pods.size(); ++i) {
    const PodSpec& pod = spec.pods[i];
    Workload workload{pod.name, labels[i], pod.parallel, {}, pod.resources};
    if (pod.executor && !pod.executor->workspace.empty()) {
      for (std::size_t replica = 0; replica < pod.parallel; ++replica) {
        workload.state_folders.push_back(pod.executor->name + "-" + std::to_string(replica));
      }
    }
    if (names_yaml_file(pod.uses)) {
      const std::filesystem::path file = flow_file.parent_path() / pod.uses;
      plan.extra_files.emplace(config_key(pod.uses, plan.extra_files), read_text(file));
    }
    plan.workloads.push_back(std::move(workload));
  }
  return plan;
}

std::string deployed_flow_text(const DeployPlan& plan, const Placement& placement) {
  YAML::Node flow = YAML::Load(read_text(plan.source));
  flow["transport"] = "tcp";
  flow["host"] = placement.orchestrator_host;
  if (flow["input"]) flow.remove("input");
  if (flow["with"]) {
    drop_runtime(flow["with"]);
    if (flow["with"].IsMap() && flow["with"].size() == 0) flow.remove("with");
  }
  const bool has_workspace = std::any_of(plan.workloads.begin(), plan.workloads.end(),
                                         [](const Workload& w) { return w.stateful(); });
  if (has_workspace || flow["workspace"]) flow["workspace"] = placement.workspace;
  if (plan.options.curve) {
    YAML::Node curve;
    curve["key"] = placement.key_dir + "/" + kOrchestratorKey + ".secret";
    for (const Workload& workload : plan.workloads) {
      curve["hosts"][placement.daemons.at(workload.pod)] =
          placement.key_dir + "/" + workload.name + ".pub";
    }
    flow["curve"] = curve;
  } else if (flow["curve"]) {
    flow.remove("curve");
  }
  // The same order as plan_deploy, so the renamed files match.
  std::map<std::string, std::string> renamed;
  std::map<std::string, std::string> taken;
  YAML::Node pods = flow["pods"];
  const auto place = [&](YAML::Node pod, const std::string& name) {
    drop_runtime(pod);
    pod["host"] = placement.daemons.at(name);
    YAML::Node uses = pod["uses"];
    if (uses && uses.IsScalar() && names_yaml_file(uses.Scalar())) {
      const std::string key = config_key(uses.Scalar(), taken);
      taken.emplace(key, "");
      pod["uses"] = key;
    } else if (uses && uses.IsMap() && uses["metas"] && uses["metas"].IsMap() &&
               uses["metas"]["workspace"]) {
      uses["metas"]["workspace"] = placement.workspace;
    }
  };
  if (pods.IsSequence()) {
    for (YAML::Node pod : pods) place(pod, pod["name"].as<std::string>());
  } else if (pods.IsMap()) {  // Jina's map form: the key is the name
    for (auto entry : pods) place(entry.second, entry.first.as<std::string>());
  }
  YAML::Emitter out;
  out << flow;
  return "# Written by `jflow export` from " + plan.source.filename().string() +
         "; export again rather than edit.\n" + std::string(out.c_str()) + "\n";
}

std::vector<std::string> daemon_command(const DeployPlan& plan, const Workload& workload,
                                        const std::string& listen, const std::string& key_dir) {
  std::vector<std::string> command = {"jflow", "daemon", "--listen", listen};
  if (!plan.options.curve) {
    command.push_back("--insecure");
    return command;
  }
  const std::string own = key_dir + "/" + workload.name;
  command.insert(command.end(),
                 {"--key", own + ".secret", "--allow", key_dir + "/" + kOrchestratorKey + ".pub",
                  "--allow", own + ".pub"});
  return command;
}

std::vector<std::string> daemon_ping_command(const DeployPlan& plan, const Workload& workload,
                                             const std::string& address,
                                             const std::string& key_dir) {
  std::vector<std::string> command = {"jflow", "ping", "--daemon", address, "--timeout", "2s"};
  if (plan.options.curve) {
    const std::string own = key_dir + "/" + workload.name;
    command.insert(command.end(), {"--key", own + ".secret", "--server-key", own + ".pub"});
  }
  return command;
}

std::vector<std::string> orchestrator_command(const std::string& flow_file,
                                              const std::string& bind) {
  return {"jflow",   "run",
          "--serve", flow_file,
          "--zmq",   "tcp://" + bind + ":" + std::to_string(kServeZmqPort),
          "--http",  bind + ":" + std::to_string(kServeHttpPort)};
}

void write_file(const std::filesystem::path& path, const std::string& text, bool secret) {
  const mode_t mode = secret ? 0600 : 0644;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (fd < 0) {
    throw std::runtime_error("cannot write '" + path.string() + "': " + std::strerror(errno));
  }
  bool ok = ::fchmod(fd, mode) == 0;
  std::size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  const int error = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok)
    throw std::runtime_error("cannot write '" + path.string() + "': " + std::strerror(error));
}

KeyTexts fresh_key_texts(const std::string& name) {
  // The key files' format belongs to write_curve_keys; it writes into a private folder of ours.
  std::string pattern = (std::filesystem::temp_directory_path() / "jflow-keys-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(std::string("cannot make a private temporary folder: ") +
                             std::strerror(errno));
  }
  const std::filesystem::path dir = pattern;
  KeyTexts texts;
  try {
    write_curve_keys(dir, name, generate_curve_keys());
    texts = {read_text(dir / (name + ".pub")), read_text(dir / (name + ".secret"))};
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  std::filesystem::remove_all(dir);
  return texts;
}

}  // namespace jflow::deploy
