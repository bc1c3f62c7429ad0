// Executor: the user's compute inside a pea — a crafter, encoder, indexer or ranker. Drivers
// (drivers/) move requests and call the executor their pea owns; an executor never sees sockets.
//
// Lifecycle, all on the pea's loop thread:
//   factory(with, metas)  reads its `with:` options (DriverOptions rejects unknown keys)
//   open()                before the first request: load state persisted in metas.workspace
//   the drivers call its capability methods (craft, encode, add/query, …) for each request
//   close()               when the pea stops, after draining: persist state to metas.workspace,
//                         so an index built by one `jflow run` is searched by the next.
//
// Capabilities are small interfaces an executor implements (an indexer is a VectorIndexer, a
// document store a KeyValueIndexer, …); a driver looks up the one it needs with dynamic_cast and
// the pea fails to start, naming the pod, when its executor lacks it.
// Thread-safety: an executor instance is only ever used from its pea's loop thread.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jflow/document.hpp"
#include "jflow/driver.hpp"
#include "jflow/ndarray.hpp"

namespace jflow {

// Where an executor runs, from the YAML `metas:` and the pea's place in its pod.
struct ExecutorMetas {
  std::string name;                 // metas.name; defaults to the pod's name
  std::filesystem::path workspace;  // metas.workspace; absolute once the flow resolved it
  std::size_t replica_id = 0;       // which replica (shard with polling: all) this pea is
  std::size_t parallel = 1;         // how many replicas the pod has

  // Whether state outlives the flow: only with a workspace. Without one an executor keeps its
  // state in memory, and open()/close() have nothing to load or save.
  bool persistent() const { return !workspace.empty(); }
  // The folder that holds this replica's files: workspace/name-replica_id. Shards of one pod
  // therefore never write the same file.
  std::filesystem::path replica_workspace() const;
};

class Executor {
 public:
  explicit Executor(ExecutorMetas metas) : metas_(std::move(metas)) {}
  virtual ~Executor() = default;
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // The executor's kind as written in YAML, e.g. "FeatureHashEncoder".
  virtual std::string_view kind() const = 0;
  // Loads persisted state (if any). Throwing fails the pea's start with the message.
  virtual void open() {}
  // Persists state. Called once, after the last request.
  virtual void close() {}

  const ExecutorMetas& metas() const { return metas_; }

 private:
  ExecutorMetas metas_;
};

// Turns a document into chunks, or rewrites it in place (a sentence splitter, a normaliser).
class Crafter : public Executor {
 public:
  using Executor::Executor;
  virtual void craft(Document& document) = 0;
};

// Computes one embedding per document.
class Encoder : public Executor {
 public:
  using Executor::Executor;
  // Returns a float32 array of shape [documents.size(), dim].
  virtual NdArray encode(std::span<const Document* const> documents) = 0;
};

// One search hit: a stored id and its score. Higher scores are better (cosine similarity, or the
// negated L2 distance), so results from different shards compare directly.
struct ScoredId {
  std::string id;
  float score = 0;
  bool operator==(const ScoredId&) const = default;
};

// Stores vectors by id and finds the top-k nearest to a query.
class VectorIndexer : public Executor {
 public:
  using Executor::Executor;
  // `vectors` is [ids.size(), dim] float32; dim must match what the index already holds.
  virtual void add(std::span<const std::string> ids, const NdArray& vectors) = 0;
  // One list per query row, best first, at most top_k long.
  virtual std::vector<std::vector<ScoredId>> query(const NdArray& queries, std::size_t top_k) = 0;
  virtual std::size_t size() const = 0;
};

// Stores whole documents by id and fetches them back.
class KeyValueIndexer : public Executor {
 public:
  using Executor::Executor;
  virtual void add(const Document& document) = 0;
  virtual std::optional<Document> get(std::string_view id) const = 0;
  virtual std::size_t size() const = 0;
};

// Scores a query's matches: e.g. turns its chunks' matches into document matches.
class Ranker : public Executor {
 public:
  using Executor::Executor;
  // Sets query.matches to at most top_k matches, best first.
  virtual void rank(Document& query, std::size_t top_k) = 0;
};

struct ExecutorInfo {
  std::string kind;
  std::string summary;
  std::vector<DriverOptionInfo> options;  // its `with:` keys
  // The drivers a pod runs when `uses` names this executor without `requests:`, as `uses` YAML,
  // e.g. "{index: [!EncodeDriver {level: chunks}], search: [!EncodeDriver {level: chunks}]}".
  std::string default_requests = "_pass";
};

using ExecutorFactory =
    std::function<std::unique_ptr<Executor>(DriverOptions& with, const ExecutorMetas& metas)>;

// Executor kinds by name: the built-in ones (executors/) plus those plugins register. A kind
// registered twice is refused (jflow/registry.hpp): a plugin cannot replace a built-in.
class ExecutorRegistry : public KindRegistry<ExecutorInfo, ExecutorFactory> {
 public:
  ExecutorRegistry() : KindRegistry("executor") {}
  // Throws SpecError (unknown kind with close matches, or bad options) located in `file`.
  std::unique_ptr<Executor> create(std::string_view kind, const YAML::Node& with,
                                   const ExecutorMetas& metas, const std::string& file = {}) const;
  // Checks `with` without creating the executor's state: builds it with a scratch metas.
  void validate(std::string_view kind, const YAML::Node& with, const std::string& file) const;
};

// The built-in executors (executors/): SentenceSplitter, FeatureHashEncoder, VectorIndexer,
// DocStore, ChunkRanker.
const ExecutorRegistry& builtin_executors();
// The built-in executors plus those of loaded plugins (jflow/plugin.hpp).
const ExecutorRegistry& registered_executors();

}  // namespace jflow
