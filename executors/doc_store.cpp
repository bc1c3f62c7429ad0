// DocStore: an ordered map of documents, persisted with the msgpack body codec.
#include "executors/doc_store.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "executors/shard_files.hpp"
#include "jflow/atomic_file.hpp"
#include "jflow/codec.hpp"

namespace jflow::executors {
namespace {

constexpr char kDocStoreMagic[8] = {'J', 'F', 'L', 'O', 'W', 'D', 'O', 'C'};
constexpr std::uint32_t kDocStoreVersion = 1;
constexpr std::size_t kPrefixBytes = sizeof kDocStoreMagic + sizeof kDocStoreVersion;

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw std::runtime_error("cannot read " + path.string());
  return bytes;
}

}  // namespace

ExecutorInfo DocStore::info() {
  return {"DocStore",
          "keeps whole documents by id (last add wins), persisted to docs.jfd",
          {},
          "{index: [!KVIndexDriver {level: root}], search: [!KVSearchDriver {level: matches}]}"};
}

DocStore::DocStore(ExecutorMetas metas) : KeyValueIndexer(std::move(metas)) {}

std::filesystem::path DocStore::store_path() const {
  return metas().replica_workspace() / "docs.jfd";
}

void DocStore::open() {
  if (!metas().persistent()) return;
  const std::filesystem::path path = store_path();
  check_shard_files(metas(), path.filename().string());
  // Without an error_code: a file we cannot even stat must fail open(), not look absent.
  if (!std::filesystem::exists(path)) return;
  const std::string bytes = read_whole_file(path);
  if (bytes.size() < kPrefixBytes) {
    throw std::runtime_error(path.string() + ": truncated: " + std::to_string(bytes.size()) +
                             " bytes, shorter than its " + std::to_string(kPrefixBytes) +
                             "-byte prefix");
  }
  if (std::memcmp(bytes.data(), kDocStoreMagic, sizeof kDocStoreMagic) != 0) {
    throw std::runtime_error(path.string() +
                             ": bad magic: not a jflow document store (expected \"JFLOWDOC\")");
  }
  std::uint32_t version = 0;
  std::memcpy(&version, bytes.data() + sizeof kDocStoreMagic, sizeof version);
  if (version != kDocStoreVersion) {
    throw std::runtime_error(path.string() + ": unsupported format version " +
                             std::to_string(version) + " (this build reads version " +
                             std::to_string(kDocStoreVersion) + ")");
  }
  // Every document takes at least one byte, so the file size bounds the count; the codec's
  // default limit (sized for one request) would refuse a large store.
  DecodeLimits limits;
  limits.max_docs = bytes.size();
  Request stored;
  try {
    stored = decode_body(std::string_view(bytes).substr(kPrefixBytes), limits);
  } catch (const DecodeError& decode_error) {
    throw std::runtime_error(path.string() + ": corrupt: " + decode_error.what());
  }
  documents_.clear();
  for (Document& document : stored.docs) {
    std::string id = document.id;
    documents_.insert_or_assign(std::move(id), std::move(document));
  }
  loaded_ = true;
}

void DocStore::close() {
  if (!metas().persistent()) return;
  if (!changed_ && loaded_) return;  // the file already holds exactly this state
  Request request;
  request.docs.reserve(documents_.size());
  for (const auto& entry : documents_) request.docs.push_back(entry.second);
  AtomicFileWriter writer(store_path());
  writer.write(kDocStoreMagic, sizeof kDocStoreMagic);
  writer.write(&kDocStoreVersion, sizeof kDocStoreVersion);
  writer.write(encode_body(request));
  writer.commit();
}

void DocStore::add(const Document& document) {
  documents_.insert_or_assign(document.id, document);
  changed_ = true;
}

std::optional<Document> DocStore::get(std::string_view id) const {
  const auto found = documents_.find(id);
  if (found == documents_.end()) return std::nullopt;
  return found->second;
}

}  // namespace jflow::executors
