#!/usr/bin/env bash
# The fuzz runner's own test (CI runs it from scripts/test.sh): tests/fuzz/run.sh on fuzz_selftest, whose seed
# corpus holds an input that crashes it, must exit non-zero and show the crash. Before this test the runner
# printed "no crash" over a crashing target (`target | grep ... || true; status=${PIPESTATUS[0]}` read true's status).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
FUZZ_TARGETS=selftest FUZZ_RUNS=1000 bash tests/fuzz/run.sh >"$out" 2>&1
status=$?
fail() {
  cat "$out"
  echo "tests/fuzz/run_test.sh: FAILED: $1"
  exit 1
}
[[ $status -ne 0 ]] || fail "run.sh exited 0 on a crashing target"
grep -q "fuzz_selftest failed" "$out" || fail "run.sh did not name the failing target"
grep -q "deadly signal" "$out" || fail "run.sh did not show libFuzzer's crash report"
grep -q "no crash" "$out" && fail "run.sh claimed no crash"
echo "tests/fuzz/run_test.sh: a crashing target fails the run (exit $status), its report shown"
