// `jflow export --k8s`: every exported object against Kubernetes' published schemas (npm's
// kubernetes-models, installed by the test into a temporary folder), the references between the
// objects, and the flow the orchestrator will run, parsed by jflow itself.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "deploy/dns_names.hpp"
#include "deploy/export_fixture.hpp"
#include "jflow/flow_spec.hpp"

using Catch::Matchers::Contains;
using jflow::test::exported_objects;
using jflow::test::ExportedObject;
using jflow::test::find_object;
using jflow::test::TempDir;

namespace {

bool is_dns_1035_label(const std::string& name) {
  if (name.empty() || name.size() > 63 || !(name.front() >= 'a' && name.front() <= 'z'))
    return false;
  if (name.back() == '-') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// Whether every label of `selector` is in `labels`.
bool selects(const YAML::Node& selector, const YAML::Node& labels) {
  if (!selector || !selector.IsMap() || selector.size() == 0) return false;
  for (const auto& entry : selector) {
    const std::string key = entry.first.as<std::string>();
    if (!labels[key] || labels[key].as<std::string>() != entry.second.as<std::string>())
      return false;
  }
  return true;
}

// The checks a cluster makes between objects only when they are applied, made here offline.
void check_references(const std::filesystem::path& dir) {
  const std::vector<ExportedObject> objects = exported_objects(dir);
  REQUIRE_FALSE(objects.empty());
  std::set<std::string> files;
  for (const ExportedObject& object : objects) {
    files.insert(object.file.filename().string());
    INFO(object.kind() << " " << object.name());
    CHECK(is_dns_1035_label(object.name()));
    if (object.kind() == "Deployment" || object.kind() == "StatefulSet") {
      CHECK(object.name().size() <= jflow::deploy::kMaxWorkloadName);
    }
  }
  // The kustomization lists exactly the files written.
  const YAML::Node kustomization = YAML::LoadFile((dir / "kustomization.yaml").string());
  std::set<std::string> listed;
  for (const YAML::Node& file : kustomization["resources"]) listed.insert(file.as<std::string>());
  CHECK(listed == files);

  for (const ExportedObject& object : objects) {
    const std::string kind = object.kind();
    INFO(object.file.filename().string() << ": " << kind << " " << object.name());
    if (kind == "Service") {
      // Selects a workload's pods, and each target port is a port a container of them names.
      const ExportedObject* target = nullptr;
      for (const ExportedObject& workload : objects) {
        if ((workload.kind() == "Deployment" || workload.kind() == "StatefulSet") &&
            selects(object.node["spec"]["selector"],
                    workload.node["spec"]["template"]["metadata"]["labels"])) {
          CHECK(target == nullptr);  // one workload each
          target = &workload;
        }
      }
      REQUIRE(target != nullptr);
      std::set<std::string> port_names;
      for (const YAML::Node& container : target->node["spec"]["template"]["spec"]["containers"]) {
        for (const YAML::Node& port : container["ports"])
          port_names.insert(port["name"].as<std::string>());
      }
      for (const YAML::Node& port : object.node["spec"]["ports"]) {
        CHECK(port_names.count(port["targetPort"].as<std::string>()) == 1);
      }
      continue;
    }
    if (kind != "Deployment" && kind != "StatefulSet") continue;
    const YAML::Node spec = object.node["spec"];
    CHECK(selects(spec["selector"]["matchLabels"], spec["template"]["metadata"]["labels"]));
    std::set<std::string> volumes;
    for (const YAML::Node& volume : spec["template"]["spec"]["volumes"]) {
      volumes.insert(volume["name"].as<std::string>());
      if (volume["configMap"]) {
        CHECK(find_object(objects, "ConfigMap", volume["configMap"]["name"].as<std::string>()));
      }
      if (volume["secret"]) {
        const ExportedObject* secret =
            find_object(objects, "Secret", volume["secret"]["secretName"].as<std::string>());
        REQUIRE(secret != nullptr);
        for (const YAML::Node& item : volume["secret"]["items"]) {
          CHECK(secret->node["stringData"][item["key"].as<std::string>()]);
        }
      }
    }
    for (const YAML::Node& claim : spec["volumeClaimTemplates"]) {
      volumes.insert(claim["metadata"]["name"].as<std::string>());
    }
    if (kind == "StatefulSet") {
      const ExportedObject* service =
          find_object(objects, "Service", spec["serviceName"].as<std::string>());
      REQUIRE(service != nullptr);
      CHECK(service->node["spec"]["clusterIP"].as<std::string>() == "None");
    }
    for (const YAML::Node& container : spec["template"]["spec"]["containers"]) {
      for (const YAML::Node& mount : container["volumeMounts"]) {
        CHECK(volumes.count(mount["name"].as<std::string>()) == 1);
      }
    }
  }
}

// The flow in the ConfigMap, with the Secret's keys as files and the pod address the Downward API
// gives, parsed by jflow: the orchestrator's own checks (hosts, CURVE keys) pass, and every pod's
// host is a daemon's Service.
jflow::FlowSpec exported_flow(const std::filesystem::path& dir, const TempDir& scratch) {
  const std::vector<ExportedObject> objects = exported_objects(dir);
  const ExportedObject* config = nullptr;
  const ExportedObject* secret = nullptr;
  for (const ExportedObject& object : objects) {
    if (object.kind() == "ConfigMap") config = &object;
    if (object.kind() == "Secret") secret = &object;
  }
  REQUIRE(config != nullptr);
  std::string flow = config->node["data"]["flow.yml"].as<std::string>();
  if (secret != nullptr) {
    const std::filesystem::path keys = scratch.path() / "keys";
    std::filesystem::create_directories(keys);
    for (const auto& entry : secret->node["stringData"]) {
      const std::filesystem::path file =
          scratch.write("keys/" + entry.first.as<std::string>(), entry.second.as<std::string>());
      std::filesystem::permissions(
          file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    for (std::size_t at = flow.find("/etc/jflow/keys"); at != std::string::npos;
         at = flow.find("/etc/jflow/keys")) {
      flow.replace(at, std::string("/etc/jflow/keys").size(), keys.string());
    }
  }
  const auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "JFLOW_POD_IP") return std::string("10.244.0.7");
    return std::nullopt;
  };
  jflow::FlowSpec spec = jflow::parse_flow_yaml(flow, (scratch.path() / "flow.yml").string(), env);
  CHECK(spec.host == "10.244.0.7");
  CHECK(spec.transport == jflow::Transport::tcp);
  for (const jflow::PodSpec& pod : spec.pods) {
    INFO("pod " << pod.name << " host " << pod.host);
    const std::string service = pod.host.substr(0, pod.host.find(':'));
    CHECK(find_object(objects, "Service", service) != nullptr);
    CHECK(pod.host == service + ":45600");
  }
  return spec;
}

}  // namespace

TEST_CASE("export --k8s of flows/hello.yml: references hold and the served flow parses",
          "[deploy][k8s]") {
  TempDir dir("k8s-hello");
  jflow::test::export_kubernetes(jflow::test::hello_flow(), dir.path() / "out");
  check_references(dir.path() / "out");
  const jflow::FlowSpec spec = exported_flow(dir.path() / "out", dir);
  REQUIRE(spec.curve.has_value());
  CHECK(spec.curve->hosts.size() == 5);
  CHECK(spec.input.empty());  // served, not run over its input
  const auto objects = exported_objects(dir.path() / "out");
  // No workspace: every pod's daemon is a Deployment, and nothing claims storage.
  for (const char* pod : {"split", "encode", "index", "rank", "docs"}) {
    CHECK(find_object(objects, "Deployment", std::string("hello-") + pod));
    CHECK(find_object(objects, "Service", std::string("hello-") + pod));
  }
  CHECK(find_object(objects, "Deployment", "hello-gateway"));
  const ExportedObject* gateway = find_object(objects, "Service", "hello-gateway");
  REQUIRE(gateway);
  CHECK(gateway->node["spec"]["ports"].size() == 2);
}

TEST_CASE(
    "export --k8s of shards, replicas, a workspace and CURVE: a StatefulSet with a claim per shard",
    "[deploy][k8s]") {
  TempDir dir("k8s-stateful");
  const std::filesystem::path flow = jflow::test::write_stateful_flow(dir);
  jflow::test::export_kubernetes(flow.string(), dir.path() / "out",
                                 {"--image", "registry.example/jflow:1.2"});
  check_references(dir.path() / "out");
  const jflow::FlowSpec spec = exported_flow(dir.path() / "out", dir);
  const auto objects = exported_objects(dir.path() / "out");

  // "vec_index" and "Vec-Index" both make shop-search-vec-index: the later one gets "-2".
  CHECK(find_object(objects, "StatefulSet", "shop-search-vec-index"));
  CHECK(find_object(objects, "Deployment", "shop-search-vec-index-2"));
  const ExportedObject* index = find_object(objects, "StatefulSet", "shop-search-vec-index");
  REQUIRE(index);
  const YAML::Node claims = index->node["spec"]["volumeClaimTemplates"];
  REQUIRE(claims.size() == 2);  // one per shard
  std::set<std::string> mounts;
  for (const YAML::Node& mount :
       index->node["spec"]["template"]["spec"]["containers"][0]["volumeMounts"]) {
    mounts.insert(mount["mountPath"].as<std::string>());
  }
  CHECK(mounts.count("/var/lib/jflow/workspace/vec_index-0") == 1);
  CHECK(mounts.count("/var/lib/jflow/workspace/vec_index-1") == 1);
  // The served flow keeps its state where the claims are mounted, also for a pod's own metas.
  for (const jflow::PodSpec& pod : spec.pods) {
    if (pod.executor && !pod.executor->workspace.empty()) {
      CHECK(pod.executor->workspace == "/var/lib/jflow/workspace");
    }
  }
  CHECK(find_object(objects, "StatefulSet", "shop-search-docs"));
  // Replicas without state: a Deployment, with the pod's resources, the image asked for.
  const ExportedObject* encode = find_object(objects, "Deployment", "shop-search-encode");
  REQUIRE(encode);
  const YAML::Node container = encode->node["spec"]["template"]["spec"]["containers"][0];
  CHECK(container["image"].as<std::string>() == "registry.example/jflow:1.2");
  CHECK(container["resources"]["requests"]["cpu"].as<std::string>() == "250m");
  CHECK(container["resources"]["limits"]["memory"].as<std::string>() == "256Mi");
  // A pod that was on a daemon of its own host is moved to its workload's.
  for (const jflow::PodSpec& pod : spec.pods) {
    if (pod.name == "vec_index") CHECK(pod.host == "shop-search-vec-index:45600");
    if (pod.name == "encode") CHECK(pod.parallel == 3);
  }
  // The Secret is written for its owner only.
  const auto perms = std::filesystem::status(dir.path() / "out" / "curve-keys.yaml").permissions();
  CHECK((perms & (std::filesystem::perms::group_all | std::filesystem::perms::others_all)) ==
        std::filesystem::perms::none);
}

TEST_CASE("export --k8s --insecure: no Secret, daemons --insecure, no curve: in the flow",
          "[deploy][k8s]") {
  TempDir dir("k8s-insecure");
  jflow::test::export_kubernetes(jflow::test::hello_flow(), dir.path() / "out", {"--insecure"});
  check_references(dir.path() / "out");
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out" / "curve-keys.yaml"));
  const jflow::FlowSpec spec = exported_flow(dir.path() / "out", dir);
  CHECK_FALSE(spec.curve.has_value());
  const auto objects = exported_objects(dir.path() / "out");
  const ExportedObject* split = find_object(objects, "Deployment", "hello-split");
  REQUIRE(split);
  std::string command;
  for (const YAML::Node& word :
       split->node["spec"]["template"]["spec"]["containers"][0]["command"]) {
    command += word.as<std::string>() + " ";
  }
  CHECK_THAT(command, Contains("--insecure"));
}

TEST_CASE("exported manifests pass Kubernetes' published schemas (kubernetes-models)",
          "[deploy][k8s][npm]") {
  TempDir npm("kubernetes-models");
  // Installs npm's kubernetes-models (and yaml, to read the files) into this test's temporary
  // folder; without a registry the test says so and checks nothing more.
  WARN("installing kubernetes-models and yaml with npm into " << npm.path().string());
  const auto [installed, log] =
      jflow::test::run_shell("cd '" + npm.path().string() +
                             "' && npm install --no-audit --no-fund --loglevel=error "
                             "kubernetes-models@5 yaml@2");
  if (installed != 0) {
    WARN("skipped: npm could not install kubernetes-models (no registry reachable?): " << log);
    return;
  }
  std::filesystem::copy_file(jflow::test::source_path("tests/deploy/validate_kubernetes.mjs"),
                             npm.path() / "validate_kubernetes.mjs");
  const auto validate = [&](const std::filesystem::path& dir) {
    std::string files;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().filename() != "kustomization.yaml")
        files += " '" + entry.path().string() + "'";
    }
    return jflow::test::run_shell("node '" + (npm.path() / "validate_kubernetes.mjs").string() +
                                  "'" + files);
  };
  TempDir dir("k8s-schemas");
  jflow::test::export_kubernetes(jflow::test::hello_flow(), dir.path() / "hello");
  const std::filesystem::path stateful = jflow::test::write_stateful_flow(dir);
  jflow::test::export_kubernetes(stateful.string(), dir.path() / "stateful");
  for (const char* out : {"hello", "stateful"}) {
    const auto [status, report] = validate(dir.path() / out);
    INFO(report);
    CHECK(status == 0);
    CHECK(report.find("invalid") == std::string::npos);
    CHECK_THAT(report,
               Contains("ok Deployment") && Contains("ok Service") && Contains("ok ConfigMap"));
  }
  CHECK_THAT(validate(dir.path() / "stateful").second,
             Contains("ok StatefulSet shop-search-vec-index") && Contains("ok Secret"));
  // The validator can fail: a port that is not a number is refused.
  std::ifstream in(dir.path() / "hello" / "hello-split.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string broken = text.str();
  broken.replace(broken.find("containerPort: 45600"), 20, "containerPort: \"x\"");
  jflow::test::TempDir bad("k8s-broken");
  bad.write("broken.yaml", broken);
  const auto [status, report] = validate(bad.path());
  INFO(report);
  CHECK(status == 1);
  CHECK_THAT(report, Contains("invalid") && Contains("containerPort"));
}
