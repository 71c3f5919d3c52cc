#!/usr/bin/env bash
# Sets everything up, builds, and runs every test suite; then the suites again under AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer (scripts/sanitize.sh asan, build-asan/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 600
cd ..
bash tests/fuzz/run.sh
bash tests/e2e/run.sh
bash scripts/sanitize.sh asan
