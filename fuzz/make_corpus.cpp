// Writes the seed corpus of every fuzz target from jflow's real encoders, so each seed is a valid
// input that reaches deep into its decoder:  fuzz_make_corpus fuzz/corpus
// The output is committed (fuzz/corpus/NAME/); text seeds (YAML, durations, JSON, key files that
// are hand-written) sit beside the generated ones. Rerun it when a format changes.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "control/control.hpp"
#include "executors/doc_store.hpp"
#include "executors/vector_file.hpp"
#include "fuzz_support.hpp"
#include "jflow/codec.hpp"
#include "jflow/curve_keys.hpp"
#include "jflow/flow_spec.hpp"

namespace fs = std::filesystem;
using namespace jflow;

namespace {

fs::path out_root;

void seed(const std::string& target, const std::string& name, std::string_view bytes) {
  fuzz::write_file(out_root / target / name, bytes);
}

Document sample_document() {
  Document doc;
  doc.id = "doc-1";
  doc.text = "in the beginning";
  doc.raw = std::string("\x00\x01\xff", 3);
  const float values[] = {0.25f, -1.5f, 3.0f, 1e-3f};
  doc.embedding = NdArray::from_floats(values, {2, 2});
  doc.tags = {{"n", std::int64_t{7}}, {"x", 0.5}, {"t", std::string("é")}, {"b", true}};
  Document chunk;
  chunk.id = "doc-1/0";
  chunk.text = "in";
  chunk.matches.push_back(Document{"m", "match", "", {}, {}, {}, {}, {}, 0.9});
  doc.chunks.push_back(chunk);
  doc.score = 0.75;
  return doc;
}

Request sample_request() {
  Request request;
  request.type = RequestType::search;
  request.docs = {sample_document(), Document{}};
  request.parameters = {{"top_k", std::int64_t{3}}};
  return request;
}

Envelope sample_envelope() {
  Envelope envelope;
  envelope.request_id = "req-1";
  envelope.type = RequestType::search;
  envelope.deadline_ns = 1'700'000'000'000'000'000;
  envelope.status = {StatusCode::error, "failed", "encode", "FeatureHashEncoder"};
  envelope.routes = {{"gateway", "gateway", 1, 2}};
  return envelope;
}

std::string npy(const std::string& descr, const std::string& shape, std::string_view data,
                char major = 1) {
  std::string header =
      "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const std::size_t prefix = major == 1 ? 10 : 12;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += major;
  out += '\0';
  const auto length = static_cast<std::uint32_t>(header.size());
  out.append(reinterpret_cast<const char*>(&length), major == 1 ? 2 : 4);
  return out + header + std::string(data);
}

std::string read_bytes(const fs::path& file) {
  std::string bytes;
  if (std::FILE* in = std::fopen(file.c_str(), "rb")) {
    char buffer[4096];
    std::size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, in)) > 0) bytes.append(buffer, got);
    std::fclose(in);
  }
  return bytes;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_make_corpus OUT_DIR SOURCE_DIR\n");
    return 2;
  }
  out_root = argv[1];
  const fs::path source = argv[2];

  seed("envelope", "full", encode_envelope(sample_envelope()));
  seed("envelope", "empty", encode_envelope(Envelope{}));
  Envelope traced = sample_envelope();
  traced.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  seed("envelope", "traced", encode_envelope(traced));
  seed("body", "full", encode_body(sample_request()));
  seed("body", "empty", encode_body(Request{}));

  const Envelope envelope = sample_envelope();
  seed("serve_front", "search",
       fuzz::join_frames({encode_envelope(envelope), encode_body(sample_request())}));
  seed("serve_front", "one_frame", fuzz::join_frames({encode_envelope(envelope)}));

  // Control: a configure built from a real flow's pod, and the small messages.
  const FlowSpec spec = load_flow_yaml(source / "flows/hello.yml");
  PeaConfig config;
  config.pod = spec.pods.at(1).name;
  config.pea = config.pod + "/0";
  config.flow_id = "flow-1";
  config.drivers = spec.pods.at(1).drivers;
  config.executor = spec.pods.at(1).executor;
  config.join_from = {"a", "b"};
  config.replicas = {"encode/0", "encode/1"};
  seed("control", "configure", encode_control(make_configure(config)));
  seed("control", "ready", encode_control({"ready", "p", {}, {"tcp://127.0.0.1:1"}}));
  seed("control", "replica_lost",
       encode_control({"replica_lost",
                       "p",
                       {{"replica", std::int64_t{1}}, {"reason", std::string("gone")}},
                       {}}));
  seed("daemon", "launch",
       encode_control({"launch",
                       "orc",
                       {{"pea", std::string("a/0")},
                        {"control", std::string("tcp://127.0.0.1:1")},
                        {"flow", std::string("f")}},
                       {}}));
  seed("daemon", "exited",
       encode_control(
           {"exited", "", {{"pea", std::string("a/0")}, {"how", std::string("exited 0")}}, {}}));
  seed("daemon", "pong",
       encode_control(
           {"pong", "", {{"orchestrators", std::int64_t{1}}, {"peas", std::int64_t{2}}}, {}}));

  const float rows[] = {1, 0, 0, 1, 0.5f, 0.5f};
  seed("npy", "f32_2x3", npy("<f4", "(2, 3)", {reinterpret_cast<const char*>(rows), sizeof rows}));
  seed("npy", "u1_v2", npy("|u1", "(3,)", "abc", 2));
  seed("npy", "f8_scalar", npy("<f8", "()", std::string(8, '\0')));

  // Workspace files, written by the executors' own code.
  const fs::path scratch = fuzz::scratch_dir() / "corpus";
  fs::create_directories(scratch);
  const std::string ids[] = {"a", "b", "c"};
  const executors::RowSegment segment{rows, 3};
  executors::write_vector_file(scratch / "vectors.jfv", executors::Metric::cosine, 2, {&segment, 1},
                               ids);
  seed("vector_file", "three_rows", read_bytes(scratch / "vectors.jfv"));
  executors::write_vector_file(scratch / "l2.jfv", executors::Metric::l2, 3, {}, {});
  seed("vector_file", "empty_l2", read_bytes(scratch / "l2.jfv"));

  ExecutorMetas metas;
  metas.name = "store";
  metas.workspace = scratch;
  {
    executors::DocStore store(metas);
    store.add(sample_document());
    store.close();
    seed("doc_store", "one_doc", read_bytes(store.store_path()));
  }

  write_curve_keys(scratch, "seed", generate_curve_keys());
  seed("curve_keys", "secret", read_bytes(scratch / "seed.secret"));
  seed("curve_keys", "public", read_bytes(scratch / "seed.pub"));

  for (const char* flow :
       {"flows/hello.yml", "flows/diamond.yml", "flows/parallel.yml", "flows/wait_log_pass.yml",
        "flows/on_a_daemon.yml", "tests/flows/valid/env.yml", "tests/flows/valid/per_type.yml"}) {
    seed("flow_yaml", fs::path(flow).filename().string(), read_bytes(source / flow));
  }
  std::printf("wrote the seed corpus into %s\n", out_root.c_str());
  return 0;
}
