#!/bin/sh
# ctest run_builds_no_tests: `./dev run` builds only what it runs. Reads the targets the run
# command builds from ./dev (run_targets=(--target ...)), walks their dependencies in the build
# tree's Makefile2 (the Unix Makefiles generator's target graph, add_dependencies included) and
# fails if a test, benchmark or example target is among them.
#   run_targets_test.sh SOURCE_DIR BINARY_DIR CMAKE_COMMAND
set -eu
source_dir=$1
binary_dir=$2
cmake=$3
targets=$(sed -n 's/^run_targets=(--target \(.*\))$/\1/p' "$source_dir/dev")
if [ -z "$targets" ]; then
  echo "FAIL: no run_targets=(--target ...) line in $source_dir/dev" >&2
  exit 1
fi
makefile2=$binary_dir/CMakeFiles/Makefile2
if [ ! -f "$makefile2" ]; then
  # Another generator (Ninja): configure a scratch tree with Unix Makefiles to read the graph.
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  "$cmake" -S "$source_dir" -B "$scratch" -G "Unix Makefiles" >/dev/null
  makefile2=$scratch/CMakeFiles/Makefile2
fi
# Makefile2 names a target by its folder, e.g. cli/CMakeFiles/jflow.dir, with one line per
# dependency: "cli/CMakeFiles/jflow.dir/all: src/CMakeFiles/jflow_core.dir/all".
if ! grep -q '^tests/CMakeFiles/jflow_tests.dir/all:' "$makefile2"; then
  echo "FAIL: $makefile2 has no jflow_tests target: nothing to check against" >&2
  exit 1
fi
start=""
for target in $targets; do
  dir=$(grep -o "^[^ ]*/CMakeFiles/$target.dir/all:" "$makefile2" | head -n 1 | sed 's|/all:$||')
  if [ -z "$dir" ]; then
    echo "FAIL: target '$target' (from ./dev) is not in $makefile2" >&2
    exit 1
  fi
  start="$start $dir"
done
built=$(awk -v start="$start" '
  /^[^ \t#][^ ]*\.dir\/all: [^ ]*\.dir\/all$/ {
    from = $1; sub(/\/all:$/, "", from); to = $2; sub(/\/all$/, "", to)
    deps[from] = deps[from] " " to
  }
  END {
    n = split(start, stack, " ")
    while (n > 0) {
      t = stack[n--]
      if (t in seen) continue
      seen[t] = 1
      print t
      m = split(deps[t], next_deps, " ")
      for (i = 1; i <= m; i++) stack[++n] = next_deps[i]
    }
  }' "$makefile2" | sort)
echo "./dev run builds:"
echo "$built" | sed 's/^/  /'
bad=$(echo "$built" | grep -E '^(tests|bench|examples)/' || true)
if [ -n "$bad" ]; then
  echo "FAIL: ./dev run would build test, bench or example targets:" >&2
  echo "$bad" | sed 's/^/  /' >&2
  exit 1
fi
