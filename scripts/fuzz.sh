#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (build-fuzz/) and runs each for a bounded time,
# starting from its committed seeds (fuzz/corpus/NAME/); what a run adds to the corpus goes into
# build-fuzz/corpus/NAME/ (kept between local runs, never committed).
#
#   scripts/fuzz.sh [TARGET...] [--seconds N]      (./dev fuzz calls it; default: all, 60 s each)
#
# Fails (exit 1) when any target crashes, leaks (LeakSanitizer), exceeds its per-input time limit
# (10 s) or its memory limit (2 GB); the input that did it is saved as build-fuzz/artifacts/NAME-*
# and the command to reproduce it is printed. Prints executions per target at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=60
targets=()
while (($#)); do
  case "$1" in
    --seconds) seconds=$2; shift 2 ;;
    --seconds=*) seconds=${1#*=}; shift ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) targets+=("$1"); shift ;;
  esac
done
all=(envelope body control daemon serve_front http_json flow_yaml duration npy curve_keys vector_file
     doc_store)
((${#targets[@]})) || targets=("${all[@]}")
for t in "${targets[@]}"; do
  [[ " ${all[*]} " == *" $t "* ]] || { echo "fuzz: no target '$t' (one of: ${all[*]})" >&2; exit 2; }
done

scripts/setup.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
  -DJFLOW_FUZZ=ON -DJFLOW_BUILD_TESTS=OFF -DJFLOW_BUILD_BENCH=OFF -DJFLOW_BUILD_EXAMPLES=OFF \
  "${launcher[@]}" >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

mkdir -p build-fuzz/artifacts
failed=()
summary=()
for t in "${targets[@]}"; do
  mkdir -p "build-fuzz/corpus/$t"
  log="build-fuzz/fuzz-$t.log"
  echo "fuzz: $t for ${seconds}s"
  status=0
  # detect_leaks is ASan's default; said here because a leak must fail the pass.
  ASAN_OPTIONS="detect_leaks=1 ${ASAN_OPTIONS:-}" \
    "build-fuzz/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$t-" \
    "build-fuzz/corpus/$t" "fuzz/corpus/$t" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  if ((status != 0)); then
    failed+=("$t")
    summary+=("$(printf '%-12s %12s execs %8s/s  FAILED (exit %d)' "$t" "${execs:-?}" "${rate:-?}" "$status")")
    grep -E '^(==[0-9]+==ERROR|SUMMARY|artifact_prefix|Test unit written|.*ALARM|.*out-of-memory)' "$log" | head -20 >&2 || true
    echo "fuzz: $t failed; log: $log; reproduce: build-fuzz/fuzz/fuzz_$t build-fuzz/artifacts/$t-*" >&2
  else
    summary+=("$(printf '%-12s %12s execs %8s/s  ok' "$t" "${execs:-?}" "${rate:-?}")")
  fi
done
echo "fuzz: ${seconds}s per target"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "fuzz: FAILED: ${failed[*]}" >&2
  exit 1
fi
