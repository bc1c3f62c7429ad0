// A rehearsal of `jflow export --k8s`, not a schema check: each exported container runs as a
// process with its command, arguments and environment exactly as the manifest gives them, one
// network namespace per Kubernetes pod (tests/multihost's VirtualHosts), the ConfigMap and Secret
// items it mounts as files at their mount paths, and the Services' names resolved as cluster DNS
// would (`ip netns exec` bind-mounts /etc/netns/NAME/hosts, and /etc/netns/NAME/jflow over
// /etc/jflow). The daemons' readiness probes are run as the kubelet would, then the gateway's; the
// flow serves requests through the exported gateway. Then a pod's daemon is killed: its requests
// end with errors naming it (none hangs), and once it is started again at its address, as
// Kubernetes restarts a failed container, the running flow launches that pod's peas there again
// and serves, without the gateway restarting. Last the gateway's container is killed and started
// again, and the (new) flow serves. In between, the encode pod is recreated at a new address (a
// rescheduled pod) and its peas rejoin the running flow there.
#include <catch2/catch.hpp>

#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "deploy/export_fixture.hpp"
#include "support/virtual_hosts.hpp"

using jflow::test::ExportedObject;
using jflow::test::VirtualHosts;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

struct Container {
  std::string workload;
  std::vector<std::string> command;
  std::vector<std::string> env;              // NAME=value, as the kubelet sets them
  std::map<std::string, std::string> files;  // path -> text, the mounted items
  std::vector<std::string> readiness;        // exec probe, empty for an HTTP probe
  std::string readiness_path;                // HTTP probe's path, empty for an exec probe
  std::string liveness_path;
};

// Reads each workload's container out of the manifests: command, env (the Downward API's pod
// address is `pod_ip`), and the ConfigMap/Secret items at their mount paths.
Container container_of(const std::vector<ExportedObject>& objects, const ExportedObject& workload,
                       const std::string& pod_ip) {
  Container out;
  out.workload = workload.name();
  const YAML::Node pod = workload.node["spec"]["template"]["spec"];
  const YAML::Node container = pod["containers"][0];
  for (const YAML::Node& word : container["command"]) out.command.push_back(word.as<std::string>());
  for (const YAML::Node& variable : container["env"]) {
    REQUIRE(variable["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>() == "status.podIP");
    out.env.push_back(variable["name"].as<std::string>() + "=" + pod_ip);
  }
  if (container["readinessProbe"]["exec"]) {
    for (const YAML::Node& word : container["readinessProbe"]["exec"]["command"]) {
      out.readiness.push_back(word.as<std::string>());
    }
  }
  if (container["readinessProbe"]["httpGet"]) {
    out.readiness_path = container["readinessProbe"]["httpGet"]["path"].as<std::string>();
  }
  if (container["livenessProbe"]["httpGet"]) {
    out.liveness_path = container["livenessProbe"]["httpGet"]["path"].as<std::string>();
  }
  std::map<std::string, std::string> mount_of;
  for (const YAML::Node& mount : container["volumeMounts"]) {
    mount_of[mount["name"].as<std::string>()] = mount["mountPath"].as<std::string>();
  }
  for (const YAML::Node& volume : pod["volumes"]) {
    const std::string at = mount_of.at(volume["name"].as<std::string>());
    if (volume["configMap"]) {
      const ExportedObject* config = jflow::test::find_object(
          objects, "ConfigMap", volume["configMap"]["name"].as<std::string>());
      REQUIRE(config);
      for (const auto& entry : config->node["data"]) {
        out.files[at + "/" + entry.first.as<std::string>()] = entry.second.as<std::string>();
      }
    }
    if (volume["secret"]) {
      const ExportedObject* secret = jflow::test::find_object(
          objects, "Secret", volume["secret"]["secretName"].as<std::string>());
      REQUIRE(secret);
      for (const YAML::Node& item : volume["secret"]["items"]) {
        out.files[at + "/" + item["path"].as<std::string>()] =
            secret->node["stringData"][item["key"].as<std::string>()].as<std::string>();
      }
    }
  }
  return out;
}

// /etc/netns/NAME: the hosts file (every Service name), and jflow/ which `ip netns exec` mounts
// over /etc/jflow, holding the container's mounted files. Removed by the destructor.
class NamespaceFiles {
 public:
  ~NamespaceFiles() { clear(); }
  void clear() {
    std::error_code ignored;
    for (const auto& folder : made_) std::filesystem::remove_all(folder, ignored);
    made_.clear();
  }
  // Writes the hosts file again in place (the same file, not a new one in its place), so that
  // processes running in the namespace, whose /etc/hosts is a bind mount of it, read the change.
  void rewrite_hosts(const std::string& ns, const std::string& hosts) {
    std::ofstream(std::filesystem::path("/etc/netns") / ns / "hosts", std::ios::trunc)
        << "127.0.0.1 localhost\n"
        << hosts;
  }
  void write(const std::string& ns, const std::string& hosts, const Container& container) {
    const std::filesystem::path root = std::filesystem::path("/etc/netns") / ns;
    std::filesystem::create_directories(root);
    made_.push_back(root);
    std::ofstream(root / "hosts") << "127.0.0.1 localhost\n" << hosts;
    for (const auto& [path, text] : container.files) {
      REQUIRE(path.rfind("/etc/jflow/", 0) == 0);
      const std::filesystem::path file =
          root / "jflow" / path.substr(std::string("/etc/jflow/").size());
      std::filesystem::create_directories(file.parent_path());
      std::ofstream(file) << text;
      ::chmod(file.c_str(), file.parent_path().filename() == "keys" ? 0400 : 0644);
    }
  }

 private:
  std::vector<std::filesystem::path> made_;
};

std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> command) {
  command.insert(command.begin(), {"ip", "netns", "exec", ns});
  return command;
}

// Runs `command` in namespace `ns` until it exits 0 (a probe passing), or fails at the deadline.
void wait_for_probe(VirtualHosts& hosts, const std::string& ns,
                    const std::vector<std::string>& command, const std::string& what) {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (true) {
    const pid_t probe = hosts.spawn(VirtualHosts::kOrchestrator, in_namespace(ns, command));
    const auto status = hosts.wait_exit(probe, Clock::now() + std::chrono::seconds(10));
    if (status && WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return;
    INFO(what);
    REQUIRE(Clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a probe's period, not a sync
  }
}

// GET `path` (the gateway's readiness probe) until it is 200, or fail at the deadline.
void wait_ready(const std::string& address, int port, const std::string& path) {
  httplib::Client http(address, port);
  http.set_connection_timeout(std::chrono::seconds(1));
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (true) {
    auto result = http.Get(path);
    if (result && result->status == 200) return;
    REQUIRE(Clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a probe's period, not a sync
  }
}

json post(const std::string& address, int port, const std::string& path, const std::string& body,
          int expected_status = 200) {
  httplib::Client http(address, port);
  http.set_read_timeout(std::chrono::seconds(20));
  auto result = http.Post(path, body, "application/json");
  REQUIRE(result);
  INFO(path << " -> " << result->status << " " << result->body);
  REQUIRE(result->status == expected_status);
  return json::parse(result->body);
}

}  // namespace

TEST_CASE("rehearsal: the exported hello flow runs as its manifests say, one namespace per pod",
          "[deploy][rehearsal][multihost]") {
  if (auto why = VirtualHosts::unavailable()) {
    WARN("skipped: " << *why);
    return;
  }
  jflow::test::TempDir dir("rehearsal");
  jflow::test::export_kubernetes(jflow::test::hello_flow(), dir.path() / "k8s");
  const std::vector<ExportedObject> objects = jflow::test::exported_objects(dir.path() / "k8s");
  std::vector<const ExportedObject*> daemons;
  const ExportedObject* gateway = nullptr;
  for (const ExportedObject& object : objects) {
    if (object.kind() != "Deployment" && object.kind() != "StatefulSet") continue;
    if (object.name() == "hello-gateway")
      gateway = &object;
    else
      daemons.push_back(&object);
  }
  REQUIRE(gateway);
  REQUIRE(daemons.size() == 5);
  // `jflow` in the commands is the image's; here it is the build's, found on PATH.
  const std::string path = "PATH=" + std::filesystem::path(JFLOW_BINARY).parent_path().string() +
                           ":/usr/sbin:/usr/bin:/sbin:/bin";
  // The image has these mount points (Dockerfile); ip netns exec needs /etc/jflow to mount on.
  const bool made_etc_jflow = std::filesystem::create_directory("/etc/jflow");
  const bool made_etc_netns = !std::filesystem::exists("/etc/netns");

  VirtualHosts hosts(daemons.size() + 1);
  const std::size_t gateway_host = daemons.size();
  const auto services = [&] {  // cluster DNS: each Service's name at its pod's address
    std::string text;
    for (std::size_t i = 0; i < daemons.size(); ++i)
      text += hosts.address(i) + " " + daemons[i]->name() + "\n";
    return text + hosts.address(gateway_host) + " hello-gateway\n";
  };
  const std::string hosts_file = services();
  NamespaceFiles files;
  std::vector<Container> containers;
  for (std::size_t i = 0; i <= daemons.size(); ++i) {
    const ExportedObject& workload = i < daemons.size() ? *daemons[i] : *gateway;
    containers.push_back(container_of(objects, workload, hosts.address(i)));
    files.write(hosts.name(i), hosts_file, containers.back());
  }
  const auto start = [&](std::size_t i) {
    std::vector<std::string> env = containers[i].env;
    env.push_back(path);
    return hosts.spawn(VirtualHosts::kOrchestrator,
                       in_namespace(hosts.name(i), containers[i].command), env);
  };
  for (std::size_t i = 0; i < daemons.size(); ++i) {
    const pid_t daemon = start(i);
    hosts.wait_for_line(daemon, "listening ", Clock::now() + std::chrono::seconds(10));
  }
  for (std::size_t i = 0; i < daemons.size(); ++i) {
    REQUIRE_FALSE(containers[i].readiness.empty());
    std::vector<std::string> probe = containers[i].readiness;
    probe.insert(probe.begin(), {"env", path});
    wait_for_probe(hosts, hosts.name(i), probe, "readiness of " + containers[i].workload);
  }

  const std::string gateway_address = hosts.address(gateway_host);
  const auto serve_once = [&](const std::string& id) {
    json indexed = post(
        gateway_address, 45680, "/index",
        R"({"docs":[{"id":")" + id + R"(","text":"The LORD is my shepherd; I shall not want."}]})");
    CHECK(indexed["status"]["code"] == "ok");
    json found =
        post(gateway_address, 45680, "/search", R"({"docs":[{"text":"my shepherd"}],"top_k":1})");
    REQUIRE(found["docs"].size() == 1);
    REQUIRE(found["docs"][0]["matches"].size() == 1);
    CHECK(found["docs"][0]["matches"][0]["id"] == id);
  };
  pid_t orchestrator = start(gateway_host);
  wait_ready(gateway_address, 45680, containers[gateway_host].readiness_path);
  serve_once("ps23");

  // The encode pod's container dies: the requests that need it end with an error naming it, none
  // hangs. Kubernetes starts the daemon again at the pod's address, and the running flow takes
  // it back: it launches the pod's peas there again, and they rejoin without the gateway
  // restarting (the index pod still has what it was given).
  std::size_t encode = daemons.size();
  for (std::size_t i = 0; i < daemons.size(); ++i) {
    if (daemons[i]->name() == "hello-encode") encode = i;
  }
  REQUIRE(encode < daemons.size());
  hosts.kill_host(encode);
  json lost = post(gateway_address, 45680, "/search", R"({"docs":[{"text":"my shepherd"}]})", 500);
  CHECK(lost["status"]["code"] == "pea_lost");
  CHECK(lost["status"]["pod"] == "encode");
  CHECK_THAT(lost["status"]["message"].get<std::string>(), Catch::Contains("hello-encode:45600"));
  // The gateway's probes now fail, naming the pod: readiness takes it out of its Service and
  // liveness is what makes the kubelet restart it (below, by hand).
  for (const std::string& probe_path :
       {containers[gateway_host].readiness_path, containers[gateway_host].liveness_path}) {
    INFO("gateway probe " << probe_path);
    httplib::Client http(gateway_address, 45680);
    auto result = http.Get(probe_path);
    REQUIRE(result);
    CHECK(result->status == 503);
    CHECK_THAT(result->body, Catch::Contains("encode"));
  }
  // Kubernetes takes seconds to restart a container: longer than the 3 s after which the flow
  // counts the daemon as gone. Wait for the gateway to say so, then restart it.
  const auto wait_until_silent = [&] {
    httplib::Client http(gateway_address, 45680);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (true) {
      auto result = http.Get(containers[gateway_host].readiness_path);
      REQUIRE(result);
      if (result->body.find("has been silent") != std::string::npos) break;
      REQUIRE(Clock::now() < deadline);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // a probe's period
    }
  };
  const auto restart_encode_and_search = [&](const char* what) {
    INFO(what);
    const pid_t restarted = start(encode);
    hosts.wait_for_line(restarted, "listening ", Clock::now() + std::chrono::seconds(10));
    std::vector<std::string> probe = containers[encode].readiness;
    probe.insert(probe.begin(), {"env", path});
    wait_for_probe(hosts, hosts.name(encode), probe, "readiness of the restarted hello-encode");
    wait_ready(gateway_address, 45680, containers[gateway_host].readiness_path);
    json found =
        post(gateway_address, 45680, "/search", R"({"docs":[{"text":"my shepherd"}],"top_k":1})");
    REQUIRE(found["docs"].size() == 1);
    REQUIRE(found["docs"][0]["matches"].size() == 1);
    CHECK(found["docs"][0]["matches"][0]["id"] == "ps23");  // indexed before: the same flow
  };
  wait_until_silent();
  restart_encode_and_search("the encode pod's container restarted at its address");

  // The encode pod is recreated (its node drained, say): Kubernetes gives the new pod another IP
  // and the Service name resolves there. Its peas cannot bind their old endpoints there: they
  // bind new ones, and what sent to the old ones (split, the pod's own head and replicas) is
  // told to follow. The flow serves on, still without the gateway restarting.
  hosts.kill_host(encode);
  wait_until_silent();
  const std::string old_address = hosts.address(encode);
  hosts.readdress_host(encode);
  // The name still resolves to the old address for a moment (as a cluster's DNS lags a pod's
  // move), and a connect sent there now gets no answer at all. Wait until the flow's link to
  // the daemon has one waiting (it retries every 100 ms): it must give up on it and resolve
  // the name again, not sit out the kernel's two minutes of SYN retries.
  {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (!hosts.connecting_to(gateway_host, old_address)) REQUIRE(Clock::now() < deadline);
  }
  for (std::size_t i = 0; i <= daemons.size(); ++i) files.rewrite_hosts(hosts.name(i), services());
  containers[encode] = container_of(objects, *daemons[encode], hosts.address(encode));
  restart_encode_and_search("the encode pod recreated at a new address");

  // The gateway's container dies; Kubernetes starts it again with the same command.
  hosts.kill_host(gateway_host);
  orchestrator = start(gateway_host);
  wait_ready(gateway_address, 45680, containers[gateway_host].readiness_path);
  serve_once("ps23-again");  // a fresh flow: the index starts empty (no workspace in hello.yml)
  (void)orchestrator;
  hosts.kill_host(gateway_host);
  for (std::size_t i = 0; i < daemons.size(); ++i) hosts.kill_host(i);
  std::error_code ignored;
  if (made_etc_jflow) std::filesystem::remove("/etc/jflow", ignored);
  files.clear();
  if (made_etc_netns) std::filesystem::remove("/etc/netns", ignored);  // only when empty
}
