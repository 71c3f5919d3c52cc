#!/usr/bin/env bash
# Sets everything up, builds, and runs every test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
cd build
ctest --output-on-failure --timeout 600
cd ..
bash tests/fuzz/run.sh
bash tests/e2e/run.sh
