#include "deploy/compose.hpp"

#include "deploy/local_files.hpp"
#include "deploy/yaml_writer.hpp"
#include "jflow/defaults.hpp"

namespace jflow::deploy {
std::vector<std::filesystem::path> write_compose(const DeployPlan& plan,
                                                 const std::filesystem::path& file) {
  const std::string folder_name = file.stem().string() + ".d";
  const std::filesystem::path folder = file.parent_path() / folder_name;
  const std::string port = std::to_string(defaults::kDaemonPort);
  Placement placement;
  // Compose's network resolves a service's name to its container; the orchestrator binds on it.
  placement.orchestrator_host = plan.orchestrator;
  for (const Workload& workload : plan.workloads)
    placement.daemons[workload.pod] = workload.name + ":" + port;
  placement.key_dir = kKeyDir;
  placement.workspace = kWorkspaceDir;
  std::vector<std::filesystem::path> written = write_local_files(plan, folder, placement);

  const std::string keys = "./" + folder_name + "/keys/";
  const auto key_mount = [&](const std::string& file_name) {
    return keys + file_name + ":" + kKeyDir + "/" + file_name + ":ro";
  };
  Yaml services = Yaml::map();
  Yaml volumes = Yaml::map();
  std::vector<std::string> daemons;
  for (const Workload& workload : plan.workloads) {
    Yaml mounts = Yaml::list();
    if (plan.options.curve) {
      mounts.add(key_mount(workload.name + ".secret")).add(key_mount(workload.name + ".pub"));
      mounts.add(key_mount(std::string(kOrchestratorKey) + ".pub"));
    }
    for (std::size_t i = 0; i < workload.state_folders.size(); ++i) {
      const std::string volume = workload.name + "-state-" + std::to_string(i);
      mounts.add(volume + ":" + kWorkspaceDir + "/" + workload.state_folders[i]);
      volumes.set(volume, Yaml::map());
    }
    const std::vector<std::string> ping =
        daemon_ping_command(plan, workload, "127.0.0.1:" + port, kKeyDir);
    Yaml test = Yaml::list().add("CMD");
    for (const std::string& arg : ping) test.add(arg);
    Yaml service =
        Yaml::map()
            .set("image", plan.options.image)
            .set("hostname", workload.name)
            .set("command",
                 Yaml::strings(daemon_command(plan, workload, "tcp://0.0.0.0:" + port, kKeyDir)))
            .set("healthcheck", Yaml::map()
                                    .set("test", test)
                                    .set("interval", "10s")
                                    .set("timeout", "5s")
                                    .set("retries", 3))
            .set("restart", "unless-stopped");
    if (!mounts.empty()) service.set("volumes", mounts);
    services.set(workload.name, service);
    daemons.push_back(workload.name);
  }
  Yaml mounts = Yaml::list().add("./" + folder_name + "/flow:" + kConfigDir + ":ro");
  if (plan.options.curve) {
    mounts.add(key_mount(std::string(kOrchestratorKey) + ".secret"));
    mounts.add(key_mount(std::string(kOrchestratorKey) + ".pub"));
    for (const Workload& workload : plan.workloads) mounts.add(key_mount(workload.name + ".pub"));
  }
  Yaml depends = Yaml::map();
  for (const std::string& daemon : daemons)
    depends.set(daemon, Yaml::map().set("condition", "service_healthy"));
  Yaml gateway =
      Yaml::map()
          .set("image", plan.options.image)
          .set("hostname", plan.orchestrator)
          .set("command", Yaml::strings(orchestrator_command(
                              std::string(kConfigDir) + "/" + kFlowFileName, "0.0.0.0")))
          .set("ports",
               Yaml::strings(
                   {std::to_string(kServeZmqPort) + ":" + std::to_string(kServeZmqPort),
                    std::to_string(kServeHttpPort) + ":" + std::to_string(kServeHttpPort)}))
          .set("volumes", mounts)
          .set("restart", "unless-stopped");
  if (!depends.empty()) gateway.set("depends_on", depends);
  services.set(plan.orchestrator, gateway);
  Yaml compose = Yaml::map().set("services", services);
  if (!volumes.empty()) compose.set("volumes", volumes);
  write_file(file, "# Written by `jflow export --compose` from " + plan.source.filename().string() +
                       " (docs/KUBERNETES.md).\n" + compose.text());
  written.insert(written.begin(), file);
  return written;
}

}  // namespace jflow::deploy
