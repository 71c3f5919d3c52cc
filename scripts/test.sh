#!/usr/bin/env bash
# Sets everything up and runs every check (what CI runs, .ci/run), in order:
#   1. the service built for release into build/ (scripts/build.sh): the binary that the browser tests drive;
#   2. the fuzz runner's own test, then the three fuzz targets (tests/fuzz, clang, build-fuzz/);
#   3. the browser scenarios against build/boutique (tests/e2e);
#   4. every ctest suite under AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
#      (scripts/sanitize.sh asan, build-asan/);
#   5. the suites where threads meet under ThreadSanitizer (scripts/sanitize.sh tsan, build-tsan/).
# Each ctest suite runs once here, in the ASan build (the same tests and assertions, plus the sanitizers' checks):
# running them again unsanitized cost about 5 of CI's 20 minutes (docs/RELIABILITY.md, "CI time"). For that run
# by hand: bash scripts/build.sh && (cd build && ctest --output-on-failure).
set -euo pipefail
cd "$(dirname "$0")/.."
BOUTIQUE_TESTS=OFF BOUTIQUE_TARGETS=boutique bash scripts/build.sh
bash tests/fuzz/run_test.sh
bash tests/fuzz/run.sh
bash tests/e2e/run.sh
bash scripts/sanitize.sh asan
bash scripts/sanitize.sh tsan
