#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for FUZZ_RUNS executions (default 20,000: the CI run;
# FUZZ_RUNS=1000000 for the bench run) from the seed corpus. Exits non-zero on a crash.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${FUZZ_RUNS:-20000}
cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++ -DBOUTIQUE_FUZZ=ON -DBOUTIQUE_TESTS=OFF >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_http_request fuzz_json_body fuzz_validation
for target in http_request json_body validation; do
  work=$(mktemp -d)
  cp tests/fuzz/corpus/$target/* "$work/"
  echo "fuzz_$target: $runs runs"
  ./build-fuzz/tests/fuzz/fuzz_$target -runs="$runs" -max_len=70000 -rss_limit_mb=2048 -print_final_stats=1 \
    "$work" 2>&1 | grep -E "Done|stat::number_of_executed_units|ERROR|SUMMARY" || true
  status=${PIPESTATUS[0]}
  rm -rf "$work"
  if [[ $status -ne 0 ]]; then echo "fuzz_$target failed"; exit 1; fi
done
echo "fuzzing: 3 targets, $runs runs each, no crash"
