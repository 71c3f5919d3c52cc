#!/usr/bin/env bash
# Builds the test suites with sanitizers and runs them through ctest (docs/RELIABILITY.md, "Sanitizers"):
#   bash scripts/sanitize.sh asan   AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer, in build-asan/:
#                                   every ctest suite
#   bash scripts/sanitize.sh tsan   ThreadSanitizer, in build-tsan/, against a CAF core library built for it: the
#                                   suites where threads meet (actor_tests, integration_tests); SANITIZE_SUITES=all
#                                   for every suite
# For a subset of the suites, only their test programs are built. Any report fails the run. Suppressions (library
# code only, each explained) are in tests/sanitizers/.
# A second argument does one part: `build` (set up and build), `test` (ctest on what was built) or `browser` (the
# browser tests, tests/e2e/run.sh, against the sanitized service; a report or a leak when it stops fails them).
# scripts/test.sh builds both trees, then runs both ctest runs side by side, the browser tests after the TSan one.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-asan}
step=${2:-all}
[[ $step == @(all|build|test|browser) ]] || { echo "usage: $0 [asan|tsan] [all|build|test|browser]" >&2; exit 2; }
suppressions=$PWD/tests/sanitizers
case $kind in
  asan)
    sanitize=address,undefined
    suites=${SANITIZE_SUITES:-all}
    export ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1
    export UBSAN_OPTIONS=suppressions=$suppressions/ubsan.supp:print_stacktrace=1:halt_on_error=1
    export LSAN_OPTIONS=suppressions=$suppressions/lsan.supp
    ;;
  tsan)
    sanitize=thread
    suites=${SANITIZE_SUITES:-actor_tests integration_tests}
    export TSAN_OPTIONS=suppressions=$suppressions/tsan.supp:second_deadlock_stack=1
    ;;
  *)
    echo "usage: $0 [asan|tsan]" >&2
    exit 2
    ;;
esac
targets=() filter=()
if [[ $suites != all ]]; then
  read -r -a targets <<<"$suites"
  filter=(-R "^(${suites// /|})\$")
fi
if [[ $step == @(all|build) ]]; then
  bash scripts/setup.sh
  export CMAKE_GENERATOR=${CMAKE_GENERATOR:-Ninja}  # for a new build tree; an existing one keeps its generator
  cmake -S . -B "build-$kind" -DCMAKE_BUILD_TYPE=Debug -DBOUTIQUE_SANITIZE="$sanitize" >/dev/null
  cmake --build "build-$kind" -j"$(nproc)" ${targets[@]+--target "${targets[@]}"}
  if [[ $kind == tsan ]]; then
    bash tests/sanitizers/caf_tsan.sh "$PWD/build-tsan/caf"
  fi
fi
[[ $step != build ]] || exit 0
if [[ $kind == tsan ]]; then
  export LD_LIBRARY_PATH=$PWD/build-tsan/caf/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
if [[ $step == browser ]]; then
  BOUTIQUE_BIN=$PWD/build-$kind/boutique exec bash tests/e2e/run.sh
fi
cd "build-$kind"
ctest --output-on-failure --timeout 1800 "${filter[@]}"
