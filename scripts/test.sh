#!/usr/bin/env bash
# Sets everything up and runs every check (what CI runs, .ci/run), in order:
#   1. the Debian packages (scripts/setup.sh);
#   2. the fuzz runner's own test, then the three fuzz targets (tests/fuzz, clang, build-fuzz/);
#   3. the ctest suites built with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer (build-asan/: every
#      suite) and with ThreadSanitizer (build-tsan/: the suites where threads meet, against a CAF core built for
#      it), then both ctest runs side by side (scripts/sanitize.sh);
#   4. the browser scenarios (tests/e2e) against the ASan+UBSan service (build-asan/boutique), after the TSan run.
# Each ctest suite runs once here, in the ASan build: the same tests and assertions as an unsanitized run, with the
# sanitizers' checks on top. The Release build (scripts/build.sh, the README's first command) is not compiled here:
# it ran only to give the browser tests a binary, and its 400 s of CPU kept CI over its 20 minutes
# (docs/RELIABILITY.md, "CI time"). By hand: bash scripts/build.sh && (cd build && ctest --output-on-failure).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash tests/fuzz/run_test.sh
bash tests/fuzz/run.sh
bash scripts/sanitize.sh asan build
bash scripts/sanitize.sh tsan build
# Each sanitized ctest run keeps about one of the two cores busy (its suites wait on sockets, timers and child
# processes), so the two together take about as long as the longer one; the browser tests follow the shorter one.
# Each log is printed whole once both end.
bash scripts/sanitize.sh asan test >build-asan/ctest.log 2>&1 & asan=$!
tsan_then_browser() {
  local failed=0
  bash scripts/sanitize.sh tsan test || failed=1
  bash scripts/sanitize.sh asan browser || failed=1
  return "$failed"
}
tsan_then_browser >build-tsan/ctest.log 2>&1 & tsan=$!
status=0
wait "$asan" || status=1
wait "$tsan" || status=1
echo "== AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/):"
cat build-asan/ctest.log
echo "== ThreadSanitizer (build-tsan/), then the browser tests against build-asan/boutique:"
cat build-tsan/ctest.log
if ((status != 0)); then
  echo "scripts/test.sh: a sanitized ctest run or the browser tests failed (above)" >&2
fi
exit "$status"
