// The shards of one persisted executor against what was saved (issue 16, Found 7: a deleted shard
// folder was recreated empty and half the index was gone without a word). Every shard writes its
// file at close, so after a run that saved, each of workspace/NAME-0 … NAME-(parallel-1) holds
// one. A shard whose file is missing while another shard's is there, or a shard folder past the
// pod's parallel, means the workspace is not what was saved: open() refuses it, naming both.
#pragma once

#include <string_view>

#include "jflow/executor.hpp"

namespace jflow::executors {

// Throws std::runtime_error when this replica's `file_name` is missing but a sibling shard has
// one, or when NAME-K exists for a K at or past metas.parallel. Call from open().
void check_shard_files(const ExecutorMetas& metas, std::string_view file_name);

}  // namespace jflow::executors
