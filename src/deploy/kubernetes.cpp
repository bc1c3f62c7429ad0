#include "deploy/kubernetes.hpp"

#include "deploy/yaml_writer.hpp"
#include "jflow/defaults.hpp"

namespace jflow::deploy {
namespace {

constexpr int kKeyFileMode = 0400;  // CURVE .secret files must not be readable by others
constexpr const char* kStateClaimSize = "1Gi";

Yaml labels(const DeployPlan& plan, const std::string& name, const char* component) {
  return Yaml::map()
      .set("app.kubernetes.io/name", name)
      .set("app.kubernetes.io/part-of", plan.flow)
      .set("app.kubernetes.io/component", component)
      .set("app.kubernetes.io/managed-by", "jflow-export");
}

// What a Service selects; a subset of labels().
Yaml selector(const DeployPlan& plan, const std::string& name) {
  return Yaml::map()
      .set("app.kubernetes.io/name", name)
      .set("app.kubernetes.io/part-of", plan.flow);
}

Yaml metadata(const DeployPlan& plan, const std::string& name, const char* component) {
  return Yaml::map().set("name", name).set("labels", labels(plan, name, component));
}

Yaml exec_probe(const std::vector<std::string>& command, int period, int failures) {
  return Yaml::map()
      .set("exec", Yaml::map().set("command", Yaml::strings(command)))
      .set("periodSeconds", period)
      .set("timeoutSeconds", 5)
      .set("failureThreshold", failures);
}

Yaml http_probe(const char* path, int period, int failures) {
  return Yaml::map()
      .set("httpGet", Yaml::map().set("path", path).set("port", "http"))
      .set("periodSeconds", period)
      .set("failureThreshold", failures);
}

Yaml resources_of(const PodResources& resources) {
  const auto amounts = [](const std::string& cpu, const std::string& memory) {
    Yaml map = Yaml::map();
    if (!cpu.empty()) map.set("cpu", cpu);
    if (!memory.empty()) map.set("memory", memory);
    return map;
  };
  Yaml out = Yaml::map();
  Yaml requests = amounts(resources.cpu_request, resources.memory_request);
  Yaml limits = amounts(resources.cpu_limit, resources.memory_limit);
  if (!requests.empty()) out.set("requests", requests);
  if (!limits.empty()) out.set("limits", limits);
  return out;
}

std::string config_name(const DeployPlan& plan) {
  return plan.flow + "-config";
}
std::string secret_name(const DeployPlan& plan) {
  return plan.flow + "-curve-keys";
}

// The Secret's files a container sees: only its own key pair and the public keys it needs.
Yaml key_volume(const DeployPlan& plan, const std::vector<std::string>& files) {
  Yaml items = Yaml::list();
  for (const std::string& file : files) items.add(Yaml::map().set("key", file).set("path", file));
  return Yaml::map()
      .set("name", "curve-keys")
      .set("secret", Yaml::map()
                         .set("secretName", secret_name(plan))
                         .set("defaultMode", kKeyFileMode)
                         .set("items", items));
}

Placement kubernetes_placement(const DeployPlan& plan) {
  Placement placement;
  placement.orchestrator_host = "${JFLOW_POD_IP}";
  for (const Workload& workload : plan.workloads) {
    placement.daemons[workload.pod] = workload.name + ":" + std::to_string(defaults::kDaemonPort);
  }
  placement.key_dir = kKeyDir;
  placement.workspace = kWorkspaceDir;
  return placement;
}

Yaml config_map(const DeployPlan& plan) {
  Yaml data = Yaml::map().set(kFlowFileName, deployed_flow_text(plan, kubernetes_placement(plan)));
  for (const auto& [name, text] : plan.extra_files) data.set(name, text);
  return Yaml::map()
      .set("apiVersion", "v1")
      .set("kind", "ConfigMap")
      .set("metadata", metadata(plan, config_name(plan), "config"))
      .set("data", data);
}

Yaml curve_secret(const DeployPlan& plan) {
  Yaml data = Yaml::map();
  const auto pair = [&](const std::string& name) {
    const KeyTexts texts = fresh_key_texts(name);
    data.set(name + ".pub", texts.public_text);
    data.set(name + ".secret", texts.secret_text);
  };
  pair(kOrchestratorKey);
  for (const Workload& workload : plan.workloads) pair(workload.name);
  return Yaml::map()
      .set("apiVersion", "v1")
      .set("kind", "Secret")
      .set("metadata", metadata(plan, secret_name(plan), "curve-keys"))
      .set("type", "Opaque")
      .set("stringData", data);
}

Yaml daemon_workload(const DeployPlan& plan, const Workload& workload) {
  const std::string port = std::to_string(defaults::kDaemonPort);
  const std::string listen = "tcp://0.0.0.0:" + port;
  const std::string self = "127.0.0.1:" + port;
  Yaml mounts = Yaml::list();
  Yaml volumes = Yaml::list();
  if (plan.options.curve) {
    mounts.add(Yaml::map()
                   .set("name", "curve-keys")
                   .set("mountPath", kKeyDir)
                   .set("readOnly", Yaml::boolean(true)));
    volumes.add(key_volume(plan, {workload.name + ".secret", workload.name + ".pub",
                                  std::string(kOrchestratorKey) + ".pub"}));
  }
  Yaml claims = Yaml::list();
  for (std::size_t i = 0; i < workload.state_folders.size(); ++i) {
    const std::string claim = "state-" + std::to_string(i);
    mounts.add(Yaml::map()
                   .set("name", claim)
                   .set("mountPath", std::string(kWorkspaceDir) + "/" + workload.state_folders[i]));
    claims.add(
        Yaml::map()
            .set("metadata", Yaml::map().set("name", claim))
            .set("spec", Yaml::map()
                             .set("accessModes", Yaml::strings({"ReadWriteOnce"}))
                             .set("resources",
                                  Yaml::map().set("requests",
                                                  Yaml::map().set("storage", kStateClaimSize)))));
  }
  Yaml container =
      Yaml::map()
          .set("name", "daemon")
          .set("image", plan.options.image)
          .set("command", Yaml::strings(daemon_command(plan, workload, listen, kKeyDir)))
          .set("ports", Yaml::list().add(Yaml::map()
                                             .set("name", "daemon")
                                             .set("containerPort", defaults::kDaemonPort)
                                             .set("protocol", "TCP")));
  const std::vector<std::string> ping = daemon_ping_command(plan, workload, self, kKeyDir);
  container.set("readinessProbe", exec_probe(ping, 5, 3))
      .set("livenessProbe", exec_probe(ping, 10, 3));
  if (!workload.resources.empty()) container.set("resources", resources_of(workload.resources));
  if (!mounts.empty()) container.set("volumeMounts", mounts);
  Yaml pod_spec = Yaml::map().set("containers", Yaml::list().add(container));
  if (!volumes.empty()) pod_spec.set("volumes", volumes);
  Yaml spec = Yaml::map()
                  .set("replicas", 1)
                  .set("selector", Yaml::map().set("matchLabels", selector(plan, workload.name)))
                  .set("template",
                       Yaml::map()
                           .set("metadata",
                                Yaml::map().set("labels", labels(plan, workload.name, "daemon")))
                           .set("spec", pod_spec));
  if (workload.stateful()) {
    spec.set("serviceName", workload.name).set("volumeClaimTemplates", claims);
  } else {
    // Two daemons of one pod would be two places for its peas; never run both during a rollout.
    spec.set("strategy", Yaml::map().set("type", "Recreate"));
  }
  return Yaml::map()
      .set("apiVersion", "apps/v1")
      .set("kind", workload.stateful() ? "StatefulSet" : "Deployment")
      .set("metadata", metadata(plan, workload.name, "daemon"))
      .set("spec", spec);
}

// Headless: the name resolves to the daemon's own pod address, which its peas bind on; published
// before the pod is ready, because the orchestrator's peas must reach it to make it ready at all.
Yaml daemon_service(const DeployPlan& plan, const Workload& workload) {
  return Yaml::map()
      .set("apiVersion", "v1")
      .set("kind", "Service")
      .set("metadata", metadata(plan, workload.name, "daemon"))
      .set("spec", Yaml::map()
                       .set("clusterIP", "None")
                       .set("publishNotReadyAddresses", Yaml::boolean(true))
                       .set("selector", selector(plan, workload.name))
                       .set("ports", Yaml::list().add(Yaml::map()
                                                          .set("name", "daemon")
                                                          .set("port", defaults::kDaemonPort)
                                                          .set("targetPort", "daemon")
                                                          .set("protocol", "TCP"))));
}

Yaml orchestrator_deployment(const DeployPlan& plan) {
  const std::string flow_file = std::string(kConfigDir) + "/" + kFlowFileName;
  Yaml mounts = Yaml::list().add(Yaml::map()
                                     .set("name", "config")
                                     .set("mountPath", kConfigDir)
                                     .set("readOnly", Yaml::boolean(true)));
  Yaml volumes =
      Yaml::list().add(Yaml::map()
                           .set("name", "config")
                           .set("configMap", Yaml::map().set("name", config_name(plan))));
  if (plan.options.curve) {
    mounts.add(Yaml::map()
                   .set("name", "curve-keys")
                   .set("mountPath", kKeyDir)
                   .set("readOnly", Yaml::boolean(true)));
    std::vector<std::string> files = {std::string(kOrchestratorKey) + ".secret",
                                      std::string(kOrchestratorKey) + ".pub"};
    for (const Workload& workload : plan.workloads) files.push_back(workload.name + ".pub");
    volumes.add(key_volume(plan, files));
  }
  Yaml container =
      Yaml::map()
          .set("name", "orchestrator")
          .set("image", plan.options.image)
          .set("command", Yaml::strings(orchestrator_command(flow_file, "0.0.0.0")))
          .set("env", Yaml::list().add(
                          Yaml::map()
                              .set("name", "JFLOW_POD_IP")
                              .set("valueFrom",
                                   Yaml::map().set("fieldRef",
                                                   Yaml::map().set("fieldPath", "status.podIP")))))
          .set("ports", Yaml::list()
                            .add(Yaml::map()
                                     .set("name", "zmq")
                                     .set("containerPort", kServeZmqPort)
                                     .set("protocol", "TCP"))
                            .add(Yaml::map()
                                     .set("name", "http")
                                     .set("containerPort", kServeHttpPort)
                                     .set("protocol", "TCP")))
          // /livez answers once the server listens; /readyz only while every pod can serve.
          // Liveness is /health, which is /readyz's verdict: the orchestrator does not restart
          // peas on a daemon host, so a pod lost for 30 s restarts the gateway, whose new flow
          // wires the pod's restarted daemon again.
          .set("startupProbe", http_probe("/livez", 2, 60))
          .set("livenessProbe", http_probe("/health", 10, 3))
          .set("readinessProbe", http_probe("/readyz", 5, 2))
          .set("volumeMounts", mounts);
  return Yaml::map()
      .set("apiVersion", "apps/v1")
      .set("kind", "Deployment")
      .set("metadata", metadata(plan, plan.orchestrator, "gateway"))
      .set("spec",
           Yaml::map()
               .set("replicas", 1)
               // One orchestrator per flow: a second would start the pods' peas a second time.
               .set("strategy", Yaml::map().set("type", "Recreate"))
               .set("selector", Yaml::map().set("matchLabels", selector(plan, plan.orchestrator)))
               .set("template",
                    Yaml::map()
                        .set("metadata",
                             Yaml::map().set("labels", labels(plan, plan.orchestrator, "gateway")))
                        .set("spec", Yaml::map()
                                         .set("containers", Yaml::list().add(container))
                                         .set("volumes", volumes))));
}

Yaml orchestrator_service(const DeployPlan& plan) {
  const auto port = [](const char* name, int number) {
    return Yaml::map()
        .set("name", name)
        .set("port", number)
        .set("targetPort", name)
        .set("protocol", "TCP");
  };
  return Yaml::map()
      .set("apiVersion", "v1")
      .set("kind", "Service")
      .set("metadata", metadata(plan, plan.orchestrator, "gateway"))
      .set(
          "spec",
          Yaml::map()
              .set("selector", selector(plan, plan.orchestrator))
              .set("ports",
                   Yaml::list().add(port("zmq", kServeZmqPort)).add(port("http", kServeHttpPort))));
}

}  // namespace

std::vector<std::filesystem::path> write_kubernetes(const DeployPlan& plan,
                                                    const std::filesystem::path& dir) {
  std::vector<std::pair<std::string, std::string>> files;  // name, text
  files.emplace_back("config.yaml", config_map(plan).text());
  if (plan.options.curve) files.emplace_back("curve-keys.yaml", curve_secret(plan).text());
  files.emplace_back(plan.orchestrator + ".yaml",
                     yaml_documents({orchestrator_deployment(plan), orchestrator_service(plan)}));
  for (const Workload& workload : plan.workloads) {
    files.emplace_back(workload.name + ".yaml", yaml_documents({daemon_workload(plan, workload),
                                                                daemon_service(plan, workload)}));
  }
  Yaml resources = Yaml::list();
  for (const auto& [name, text] : files) resources.add(name);
  files.emplace_back("kustomization.yaml", Yaml::map()
                                               .set("apiVersion", "kustomize.config.k8s.io/v1beta1")
                                               .set("kind", "Kustomization")
                                               .set("resources", resources)
                                               .text());
  std::vector<std::filesystem::path> written;
  for (const auto& [name, text] : files) {
    written.push_back(dir / name);
    write_file(written.back(), text, name == "curve-keys.yaml");
  }
  return written;
}

}  // namespace jflow::deploy
