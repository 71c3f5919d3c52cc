#!/usr/bin/env bash
# Sets everything up and runs every check (what CI runs, .ci/run), in order:
#   1. the Debian packages (scripts/setup.sh), then the fuzz runner's own test;
#   2. three builds at once: the fuzz targets (tests/fuzz, clang, build-fuzz/), then their runs; the ctest suites
#      with AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer (build-asan/: every suite); the suites
#      where threads meet with ThreadSanitizer (build-tsan/, against a CAF core built for it) (scripts/sanitize.sh);
#   3. both ctest runs side by side, then the browser scenarios (tests/e2e) against the ASan+UBSan service
#      (build-asan/boutique) after the TSan one, on SQLite and then on PostgreSQL; the ASan build's suites again on
#      PostgreSQL (scripts/with-postgres.sh: a server of each run's own, each test in a database of its own): unit,
#      actor and integration after the ASan run, cli, the crash script and the cluster tests (tests/cluster: three
#      ASan nodes on one database behind HAProxy, kill -9 and kill -STOP) after the browser tests.
# Each ctest suite runs once here, in the ASan build: the same tests and assertions as an unsanitized run, with the
# sanitizers' checks on top. The Release build (scripts/build.sh, the README's first command) is not compiled here:
# it ran only to give the browser tests a binary, and its 400 s of CPU kept CI over its 20 minutes
# (docs/RELIABILITY.md, "CI time"). By hand: bash scripts/build.sh && (cd build && ctest --output-on-failure).
# Why side by side: each part alone leaves one of the two cores idle for a while (a build's last links and its
# longest unit, a fuzz run, a ctest suite waiting on sockets, timers and child processes).
# Each part's log is printed whole once the parts of its step end, with its time; any failure fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
# The three build trees take about 6 GB, the runs' temporary files some more: a disk that fills up fails a build
# half-way ("No space left on device" in a compiler's temporary file), so a short disk is said first.
free_kb=$(df -Pk . | awk 'NR == 2 {print $4}')
if ((free_kb < 8 * 1024 * 1024)); then
  echo "scripts/test.sh: only $((free_kb / 1024)) MB free here; the builds and runs need about 8 GB" >&2
fi
bash scripts/setup.sh
echo "(setup: $SECONDS s)"
bash tests/fuzz/run_test.sh
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
status=0
# Runs each "name: command" given at once, each into its own log; prints the logs in order once all have ended.
side_by_side() {
  local names=() pids=() part i failed=()
  for part in "$@"; do
    (
      started=$SECONDS
      rc=0
      bash -c "${part#*: }" || rc=$?
      echo "(${part%%: *}: $((SECONDS - started)) s, exit $rc)"
      exit "$rc"
    ) >"$logs/${#pids[@]}.log" 2>&1 &
    names+=("${part%%: *}") pids+=($!)
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || failed+=("${names[$i]}")
  done
  for i in "${!names[@]}"; do
    echo "== ${names[$i]}"
    cat "$logs/$i.log"
  done
  if ((${#failed[@]} > 0)); then
    echo "scripts/test.sh: failed: ${failed[*]} (above)" >&2
    status=1
  fi
}
side_by_side "fuzz: bash tests/fuzz/run.sh" \
  "asan-build: bash scripts/sanitize.sh asan build" \
  "tsan-build: bash scripts/sanitize.sh tsan build"
((status == 0)) || exit "$status"
# The test runs: both ctest runs side by side, the browser tests after the TSan one (which ends first). Not all
# three at once: that left the tests' timing checks too little CPU (a slowloris test's 5 s bound was missed).
browser_on_postgresql="echo '== the browser tests on PostgreSQL' &&
  bash scripts/with-postgres.sh bash scripts/sanitize.sh asan browser"
# The suites on PostgreSQL (ASan build) are shared between the two lanes, which would otherwise end minutes apart:
# the long ones after the ASan run, the service-process ones (cli, crash, cluster) after the browser tests.
on_postgresql() {
  echo "SANITIZE_SUITES='$1' bash scripts/with-postgres.sh bash scripts/sanitize.sh asan test"
}
asan_then_postgresql="bash scripts/sanitize.sh asan test; asan=\$?
  echo '== unit, actor and integration suites on PostgreSQL' &&
  $(on_postgresql 'unit_tests actor_tests integration_tests') && exit \$asan"
tsan_then_browser="bash scripts/sanitize.sh tsan test; tsan=\$?
  bash scripts/sanitize.sh asan browser && $browser_on_postgresql &&
  echo '== cli, crash and cluster suites on PostgreSQL' && $(on_postgresql 'cli_tests crash_script cluster_script') &&
  exit \$tsan"
side_by_side "asan-ctest (ASan + UBSan, build-asan/), then 3 suites on PostgreSQL: $asan_then_postgresql" \
  "tsan-ctest (TSan, build-tsan/), then browser (tests/e2e, build-asan/boutique, SQLite, PostgreSQL), then 3 suites \
on PostgreSQL: $tsan_then_browser"
echo "(scripts/test.sh: $SECONDS s in all)"
exit "$status"
