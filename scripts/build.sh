#!/usr/bin/env bash
# Installs the Debian packages and builds Boutique (Release) into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBOUTIQUE_TESTS="${BOUTIQUE_TESTS:-ON}" >/dev/null
cmake --build build -j"$(nproc)"
