// `jflow new NAME [--dir DIR] [--force]`: write a first flow to start from — DIR/NAME/NAME.yml, a
// commented five-pod text search over a few documents (DIR/NAME/docs.tsv) and two queries
// (DIR/NAME/queries.txt). It runs as written (`jflow run NAME/NAME.yml`) and passes `jflow check`;
// the comments say what to change first. Exit 2 for a bad NAME or when the folder exists
// (--force writes the three files anew).
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.hpp"

namespace jflow::cli {
namespace {

std::string flow_text(const std::string& name) {
  return R"(# )" + name + R"(.yml — a first flow, written by `jflow new )" + name + R"(`.
# It indexes the documents of docs.tsv, then searches them with the lines of queries.txt and
# prints each query's best matches. Every pod runs a built-in executor (docs/EXECUTORS.md):
#
#   split ─▶ encode ─▶ index ─▶ rank ─▶ docs
#
#   jflow run )" +
         name + R"(.yml       run it (from any folder: paths are relative to this file)
#   jflow check )" +
         name + R"(.yml     validate it; errors are file:line:col with "did you mean"
#   jflow export )" +
         name + R"(.yml    draw it (mermaid; --format svg with graphviz)
#
# Next steps: put your own documents in docs.tsv ("id<TAB>text" per line) or run
# `jflow run )" +
         name + R"(.yml --input FILE`; add `parallel: 2` to a pod for two replicas; keep the
# index on disk with `workspace: DIR`; write your own executor as a plugin (examples/plugin/).
# Every key is in docs/YAML.md.
version: 1
transport: ipc              # how peas talk: inproc (thread peas only) | ipc | tcp
with:
  runtime: process          # every pod's peas in their own processes (thread: inside jflow run)
input:                      # what `jflow run` sends, phase by phase
  - lines: docs.tsv         # one document per non-empty line
    format: tsv             # "id<TAB>text": the id names the document in search results
    type: index
    request_size: 4         # documents per request
  - lines: queries.txt
    type: search
    top_k: 2                # best matches per query
pods:
  - name: split             # cuts each document into sentence chunks
    uses: SentenceSplitter
  - name: encode            # turns chunks into 256-d feature-hashing vectors (no model needed)
    uses: !FeatureHashEncoder {with: {dim: 256, ngrams: 2}}
  - name: index             # stores chunk vectors at index time, finds the nearest at search time
    uses: VectorIndexer
  - name: rank              # turns chunk matches into document matches
    uses: ChunkRanker
  - name: docs              # stores whole documents, fills in the matches' text at search time
    uses: DocStore
)";
}

constexpr const char* kDocs =
    "flow\tA flow is a graph of pods that requests travel through.\n"
    "pod\tA pod runs one executor, on one or more peas.\n"
    "pea\tA pea is one thread or process with its own poll loop.\n"
    "executor\tAn executor does the work: it crafts, encodes, indexes or ranks documents.\n"
    "driver\tDrivers move a request through an executor at the root, chunks or matches.\n"
    "replica\tWith parallel: 2 a pod has two replicas, and each request goes to one of them.\n"
    "shard\tWith polling: all every shard sees every request, and their answers are merged.\n"
    "workspace\tAn executor keeps its state in its workspace between runs.\n";

constexpr const char* kQueries =
    "what runs an executor\n"
    "how are answers of shards merged\n";

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("new: cannot write " + file.string());
}

}  // namespace

void setup_new(CLI::App& app, NewOptions& options) {
  CLI::App* command = app.add_subcommand(
      "new", "Write a first flow to start from: NAME/NAME.yml with its documents and queries");
  command->add_option("name", options.name, "The flow's name (and its folder's)")->required();
  command->add_option("-d,--dir", options.dir, "Folder to create NAME/ in")->capture_default_str();
  command->add_flag("-f,--force", options.force, "Write the files even if NAME/ exists");
  command->footer("Exit codes: 0 written; 1 a write failed; 2 bad NAME or NAME/ exists.");
}

int run_new(const NewOptions& options) {
  const std::string& name = options.name;
  if (name.empty() || name.find_first_of("/\\ \t\n") != std::string::npos || name == "." ||
      name == ".." || name.front() == '-')
    throw UsageError("new: bad NAME '" + name +
                     "': a plain name (no '/' or spaces); choose the folder with --dir");
  const std::filesystem::path folder = std::filesystem::path(options.dir) / name;
  std::error_code ec;
  if (!options.force &&
      std::filesystem::symlink_status(folder, ec).type() != std::filesystem::file_type::not_found)
    throw UsageError("new: " + folder.string() + " exists already; --force writes into it");
  std::filesystem::create_directories(folder);
  const std::filesystem::path flow = folder / (name + ".yml");
  write_file(flow, flow_text(name));
  write_file(folder / "docs.tsv", kDocs);
  write_file(folder / "queries.txt", kQueries);
  std::cout << "wrote " << flow.string() << " (and docs.tsv, queries.txt beside it)\n"
            << "run it:   jflow run " << flow.string() << "\n"
            << "check it: jflow check " << flow.string() << "\n";
  return kExitOk;
}

}  // namespace jflow::cli
