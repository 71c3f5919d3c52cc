#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_RUNS executions (default 20,000: the CI run;
# FUZZ_RUNS=1000000 for the bench run) from the seed corpus. Exits non-zero when any target fails (a crash, a
# trap on a broken invariant, a leak, a sanitizer report), with the target's report printed.
# FUZZ_TARGETS picks the targets (default: the three of CI); tests/fuzz/run_test.sh uses it to run fuzz_selftest.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${FUZZ_RUNS:-20000}
read -r -a targets <<<"${FUZZ_TARGETS:-http_request json_body validation}"
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}  # for a new build tree; an existing one keeps its generator
# A short run is mostly compile time: built at -O0; a long one at -O1 (more executions per second).
opt=-O1
((runs > 100000)) || opt=-O0
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ -DBOUTIQUE_FUZZ=ON -DBOUTIQUE_TESTS=OFF \
  -DBOUTIQUE_FUZZ_OPT="$opt" >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"
mkdir -p build-fuzz/crashes
for target in "${targets[@]}"; do
  corpus=$(mktemp -d)
  log=$(mktemp)
  cp tests/fuzz/corpus/$target/* "$corpus/"
  echo "fuzz_$target: $runs runs"
  # The target's own exit status, kept apart from any filter: `target | grep ... || true` reported true's.
  status=0
  ./build-fuzz/tests/fuzz/fuzz_$target -runs="$runs" -max_len=70000 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="build-fuzz/crashes/$target-" "$corpus" >"$log" 2>&1 || status=$?
  rm -rf "$corpus"
  if [[ $status -ne 0 ]]; then
    tail -n 60 "$log"
    rm -f "$log"
    echo "fuzz_$target failed: exit status $status (input kept in build-fuzz/crashes/)"
    exit 1
  fi
  grep -E "Done|stat::number_of_executed_units" "$log"
  rm -f "$log"
done
echo "fuzzing: ${#targets[@]} targets, $runs runs each, no crash"
