// An executor workspace's docs.jfd, loaded by DocStore::open() as a pea with that workspace would.
#include <stdexcept>

#include "executors/doc_store.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto workspace = jflow::fuzz::scratch_dir() / "docs";
  jflow::fuzz::write_file(workspace / "store-0" / "docs.jfd", jflow::fuzz::as_text(data, size));
  jflow::ExecutorMetas metas;
  metas.name = "store";
  metas.workspace = workspace;
  jflow::executors::DocStore store(metas);
  try {
    store.open();
  } catch (const std::runtime_error&) {
  }
  return 0;
}
