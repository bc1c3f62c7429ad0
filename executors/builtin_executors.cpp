// The registry of built-in executors: each kind with its `with:` options, read and validated here.
#include "jflow/executor.hpp"

namespace jflow {
namespace {

ExecutorRegistry make_builtin_executors() {
  ExecutorRegistry registry;
  return registry;
}

}  // namespace

const ExecutorRegistry& builtin_executors() {
  static const ExecutorRegistry registry = make_builtin_executors();
  return registry;
}

}  // namespace jflow
