// What the export tests share: the flows they export (flows/hello.yml, and a flow with shards,
// replicas, a workspace, CURVE and resources, written with fresh keys into a test's folder), the
// export itself through the jflow binary, and the exported objects read back with yaml-cpp.
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "support/run_jflow.hpp"
#include "support/temp_dir.hpp"
#include "support/test_support.hpp"

namespace jflow::test {

// Runs a shell command line (the validators: node, docker-compose, systemd-analyze), returning
// its exit status and what it printed.
inline std::pair<int, std::string> run_shell(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

inline std::string hello_flow() {
  return source_path("flows/hello.yml");
}

// A flow with everything an export has to place: a sharded indexer with state (polling all,
// its own workspace), a replicated encoder with resources, a pod already on a daemon, and CURVE
// keys.
inline std::filesystem::path write_stateful_flow(const TempDir& dir) {
  for (const char* name : {"orchestrator", "far"}) {
    const Outcome keys = run_jflow({"keygen", name, "--dir", (dir.path() / "keys").string()});
    REQUIRE(keys.exit_code == 0);
  }
  return dir.write("shop_Search.yml", R"(version: 1
transport: tcp
host: 10.0.0.1
curve:
  key: keys/orchestrator.secret
  hosts:
    10.0.0.2:45600: keys/far.pub
with:
  runtime: process
pods:
  - name: encode
    uses: !FeatureHashEncoder {with: {dim: 64}}
    parallel: 3
    resources:
      requests: {cpu: 250m, memory: 64Mi}
      limits: {cpu: "1", memory: 256Mi}
  - name: vec_index
    uses: !VectorIndexer {metas: {workspace: ws}}
    parallel: 2
    polling: all
    uses_after: "- !MergeMatchesDriver {level: chunks, top_k: 5}"
    host: 10.0.0.2
  - name: Vec-Index
    uses: ChunkRanker
  - name: docs
    uses: !DocStore {metas: {workspace: elsewhere}}
)");
}

// `jflow export FLOW --k8s DIR` (and `extra` arguments); requires success.
inline void export_kubernetes(const std::string& flow, const std::filesystem::path& dir,
                              std::vector<std::string> extra = {}) {
  std::vector<std::string> arguments = {"export", flow, "--k8s", dir.string()};
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  const Outcome out = run_jflow(arguments);
  INFO(out.output);
  REQUIRE(out.exit_code == 0);
}

struct ExportedObject {
  std::filesystem::path file;
  YAML::Node node;
  std::string kind() const { return node["kind"].as<std::string>(); }
  std::string name() const { return node["metadata"]["name"].as<std::string>(); }
};

// Every object of every .yaml file in `dir` but the kustomization.
inline std::vector<ExportedObject> exported_objects(const std::filesystem::path& dir) {
  std::vector<ExportedObject> objects;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".yaml" || entry.path().filename() == "kustomization.yaml") {
      continue;
    }
    for (const YAML::Node& node : YAML::LoadAllFromFile(entry.path().string())) {
      objects.push_back({entry.path(), node});
    }
  }
  return objects;
}

inline const ExportedObject* find_object(const std::vector<ExportedObject>& objects,
                                         const std::string& kind, const std::string& name) {
  for (const ExportedObject& object : objects) {
    if (object.kind() == kind && object.name() == name) return &object;
  }
  return nullptr;
}

}  // namespace jflow::test
