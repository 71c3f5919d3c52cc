#!/usr/bin/env bash
# Sets everything up, builds, and runs every test suite; the fuzz runner's own test, then the fuzz targets; the
# browser scenarios; then the suites again under AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer
# (scripts/sanitize.sh asan, build-asan/) and the concurrent ones under ThreadSanitizer (scripts/sanitize.sh tsan,
# build-tsan/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 600
cd ..
bash tests/fuzz/run_test.sh
bash tests/fuzz/run.sh
bash tests/e2e/run.sh
bash scripts/sanitize.sh asan
bash scripts/sanitize.sh tsan
