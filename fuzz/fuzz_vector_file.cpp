// An executor workspace's vectors.jfv: read and validated, then opened by VectorIndexer and
// queried, as a pea with that workspace would.
#include <stdexcept>
#include <vector>

#include "executors/vector_file.hpp"
#include "executors/vector_indexer.hpp"
#include "fuzz_support.hpp"
#include "jflow/ndarray.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto workspace = jflow::fuzz::scratch_dir() / "vectors";
  const auto file = workspace / "vec-0" / "vectors.jfv";
  jflow::fuzz::write_file(file, jflow::fuzz::as_text(data, size));
  try {
    (void)jflow::executors::read_vector_file(file);
  } catch (const std::runtime_error&) {
    return 0;
  }
  try {
    jflow::ExecutorMetas metas;
    metas.name = "vec";
    metas.workspace = workspace;
    jflow::executors::VectorIndexer indexer(metas, {});
    indexer.open();
    if (indexer.size() > 0 && indexer.dim() > 0 && indexer.dim() <= 4096) {
      const std::vector<float> row(indexer.dim(), 0.5f);
      (void)indexer.query(jflow::NdArray::from_floats(row, {1, indexer.dim()}), 3);
    }
  } catch (const std::runtime_error&) {
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
