#!/usr/bin/env bash
# Installs the Debian packages and builds Boutique (Release) into build/. BOUTIQUE_TARGETS="a b" builds only
# those targets (scripts/test.sh: the service, for the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Ninja for a new build tree (it keeps both cores busy to the end); an existing tree keeps its generator.
export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBOUTIQUE_TESTS="${BOUTIQUE_TESTS:-ON}" >/dev/null
read -r -a targets <<<"${BOUTIQUE_TARGETS:-}"
cmake --build build -j"$(nproc)" ${targets[@]+--target "${targets[@]}"}
