#!/usr/bin/env bash
# Sets everything up and runs every check (what CI runs, .ci/run), in order:
#   1. the service built for release into build/ (scripts/build.sh): the binary that the browser tests drive;
#   2. the fuzz runner's own test, then the three fuzz targets (tests/fuzz, clang, build-fuzz/);
#   3. the browser scenarios against build/boutique (tests/e2e);
#   4. the ctest suites built with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer (build-asan/: every
#      suite) and with ThreadSanitizer (build-tsan/: the suites where threads meet, against a CAF core built for
#      it), then both ctest runs side by side (scripts/sanitize.sh).
# Each ctest suite runs once here, in the ASan build: the same tests and assertions as an unsanitized run, with the
# sanitizers' checks on top; running them again unsanitized cost about 5 of CI's 20 minutes (docs/RELIABILITY.md,
# "CI time"). That run by hand: bash scripts/build.sh && (cd build && ctest --output-on-failure).
set -euo pipefail
cd "$(dirname "$0")/.."
BOUTIQUE_TESTS=OFF BOUTIQUE_TARGETS=boutique bash scripts/build.sh
bash tests/fuzz/run_test.sh
bash tests/fuzz/run.sh
bash tests/e2e/run.sh
bash scripts/sanitize.sh asan build
bash scripts/sanitize.sh tsan build
# Each sanitized ctest run keeps about one of the two cores busy (its suites wait on sockets, timers and child
# processes), so the two together take about as long as the longer one. Each log is printed whole once both end.
bash scripts/sanitize.sh asan test >build-asan/ctest.log 2>&1 & asan=$!
bash scripts/sanitize.sh tsan test >build-tsan/ctest.log 2>&1 & tsan=$!
status=0
wait "$asan" || status=1
wait "$tsan" || status=1
echo "== AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/):"
cat build-asan/ctest.log
echo "== ThreadSanitizer (build-tsan/):"
cat build-tsan/ctest.log
if ((status != 0)); then
  echo "scripts/test.sh: a sanitized ctest run failed (above)" >&2
fi
exit "$status"
