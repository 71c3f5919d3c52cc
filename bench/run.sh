#!/usr/bin/env bash
# The Boutique benchmark, side by side in one run (see bench/README.md):
#   1. ceiling: GET /api/v1/catalog with the same client, connections and duration as the checkouts
#   2. the checkout mix at 32 and at 256 concurrent customers, 10 % of them logging in with a password (verified
#      against the database afterwards)
#   3. storage ceiling: the same rows straight into SQLite, in the service's measured transaction sizes
#   4. memory: resident memory with many idle live sessions, as bytes per session
#   5. passivation: reactivating passivated customer accounts
# BENCH_QUICK=1: about a minute. BOUTIQUE_BIN=path: benchmark that service binary instead of the one built here
# (BOUTIQUE_COMMIT=sha: the commit it was built from, for the summary).
# Results (logs, JSON, SVG, summary.txt) go to BENCH_OUT (default bench/out/); the build to BENCH_BUILD (default
# build-bench/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
OUT=${BENCH_OUT:-$ROOT/bench/out}
QUICK=${BENCH_QUICK:-0}
# The aims are about guest checkouts: the measured mix is new and returning guests, test payments and signed
# notifications (some replayed). Logins are measured apart (2b), at LOGIN_SHARE of the checkouts: each costs an
# Argon2id verification (~20-50 ms of CPU on the 2 hashing threads), which would otherwise set the throughput.
LOGIN_SHARE=0.1
TOKEN=bench-admin-token
SECRET=bench-payment-secret
export BOUTIQUE_ADMIN_TOKEN=$TOKEN BOUTIQUE_PAYMENT_SECRET=$SECRET

if [[ $QUICK == 1 ]]; then
  DURATION=5; RAW_SECONDS=3; MEM_FIRST=20000; MEM_SECOND=100000; MEM_BUDGET=15; ACCOUNTS=10000
else
  DURATION=20; RAW_SECONDS=10; MEM_FIRST=100000; MEM_SECOND=1000000; MEM_BUDGET=120; ACCOUNTS=100000
fi

mkdir -p "$OUT"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
SUMMARY=$OUT/summary.txt
: > "$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }
phase() { echo; echo "=== $* ($(date -u +%T))"; }

# -- build ------------------------------------------------------------------------------------------------------

phase "build (Release, $BUILD)"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBOUTIQUE_TESTS=OFF >/dev/null
if [[ -n ${BOUTIQUE_BIN:-} ]]; then
  cmake --build "$BUILD" -j2 --target boutique-load boutique-sqlite-ceiling >/dev/null
else
  cmake --build "$BUILD" -j2 >/dev/null
  BOUTIQUE_BIN=$BUILD/boutique
fi
LOAD=$BUILD/bench/boutique-load
RAW=$BUILD/bench/boutique-sqlite-ceiling

# -- the service under test -------------------------------------------------------------------------------------

source "$ROOT/bench/service.sh"

# The mail drop (one .eml file per mail) stands in for the SMTP relay a shop would use: it is put on tmpfs
# (/dev/shm) so that the figures are the service's, not ext4's. Creating ~2 files per checkout on the disk's
# ext4 cost half the service's CPU in the kernel (inode allocation: `recently_deleted`, `find_inode_bit`, perf);
# BENCH_MAIL_ON_DISK=1 keeps it beside the database to measure that. The database itself is always on disk.
MAIL_ON_DISK=${BENCH_MAIL_ON_DISK:-0}

# start_service NAME [--option=value...]: a fresh service on free ports with a temporary database (synchronous=full).
start_service() {
  local name=$1; shift
  SVC_DIR=$(mktemp -d /tmp/boutique-bench.XXXXXX)
  if [[ $MAIL_ON_DISK == 1 || ! -d /dev/shm ]]; then MAIL_DIR=$SVC_DIR/mail; else MAIL_DIR=$(mktemp -d /dev/shm/boutique-mail.XXXXXX); fi
  launch_service "$OUT/$name.log" "$SVC_DIR/b.db" --shop.mail_dir="$MAIL_DIR" "$@" || exit 1
  echo "service $name: pid $SVC_PID, http $HTTP_PORT, admin $ADMIN_PORT, database $SVC_DIR/b.db, mail $MAIL_DIR"
}

trap stop_service EXIT

metric() {  # metric NAME: the value of a Prometheus sample without labels (or with the given label text)
  curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$ADMIN_PORT/admin/metrics" |
    awk -v name="$1" '$1 == name { value = $2 } END { print value }'
}
rss_bytes() { awk '/^VmRSS/ { printf "%.0f\n", $2 * 1024 }' "/proc/$SVC_PID/status"; }
json() { jq -r "$2" "$OUT/$1.json"; }

# load NAME [flags...]: one boutique-load run against the current service, results in $OUT/NAME.{txt,json,svg}.
load() {
  local name=$1; shift
  "$LOAD" --port="$HTTP_PORT" --secret="$SECRET" --label="$name" --json-out="$OUT/$name.json" \
    --svg-out="$OUT/$name.svg" "$@" | tee "$OUT/$name.txt"
}

# -- 1 and 2: ceiling and checkouts, one service, interleaved ----------------------------------------------------

phase "1-2. ceiling and checkout mix, ${DURATION} s each"
start_service throughput
FAILED_VERIFY=0
batch_mean() { awk -v s0="$1" -v c0="$2" -v s1="$3" -v c1="$4" 'BEGIN { printf "%.0f", (c1 > c0) ? (s1 - s0) / (c1 - c0) : 1 }'; }
for customers in 32 256; do
  load "ceiling-$customers" --mode=ceiling --customers="$customers" --duration="$DURATION"
  s0=$(metric boutique_storage_batch_size_sum); c0=$(metric boutique_storage_batch_size_count)
  load "checkout-$customers" --mode=checkout --customers="$customers" --duration="$DURATION" --login=0 \
    --verify-db="$SVC_DIR/b.db" || FAILED_VERIFY=1
  s1=$(metric boutique_storage_batch_size_sum); c1=$(metric boutique_storage_batch_size_count)
  declare "BATCH_$customers=$(batch_mean "$s0" "$c0" "$s1" "$c1")"
done
ACKED=$(( $(json checkout-32 .verification.acknowledged) + $(json checkout-256 .verification.acknowledged) ))
COMPLETED=$(metric boutique_checkouts_completed_total)
stop_service

# A fresh service: the login users' password links must not wait behind the mails of the runs above (the mailer
# writes ~500 mails/s, and each checkout queues 2).
phase "2b. the mix with logins (share $LOGIN_SHARE), 32 customers, ${DURATION} s"
start_service logins
load "login-32" --mode=checkout --customers=32 --duration="$DURATION" --login="$LOGIN_SHARE" \
  --mail-dir="$MAIL_DIR" --login-pool="$SVC_DIR/login-users.txt" --verify-db="$SVC_DIR/b.db" || FAILED_VERIFY=1
stop_service

# -- 3: storage ceiling -----------------------------------------------------------------------------------------

phase "3. storage ceiling: raw SQLite, same rows, same transaction sizes"
RAW_DB=$(mktemp -d /tmp/boutique-raw.XXXXXX)
for customers in 32 256; do
  batch_var=BATCH_$customers
  "$RAW" --db="$RAW_DB/raw.db" --seconds="$RAW_SECONDS" --batch="${!batch_var}" --savepoints=1 | tee "$OUT/sqlite-$customers.txt"
done
rm -rf "$RAW_DB"

# -- 4: memory per idle live session ----------------------------------------------------------------------------

phase "4. memory: idle live sessions ($MEM_FIRST, then up to $MEM_SECOND within ${MEM_BUDGET} s)"
# No live cap here: this phase measures what each live session costs.
start_service memory --actors.session_idle_s=86400 --actors.max_live_sessions=0 --http.idle_timeout_s=3600
load memory-warmup --mode=sessions --customers=8 --count=1000 >/dev/null
RSS0=$(rss_bytes)
load memory-first --mode=sessions --customers=64 --count=$((MEM_FIRST - 1000)) >/dev/null
RSS1=$(rss_bytes); LIVE1=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$ADMIN_PORT/admin/actors?kind=session&limit=1" | jq .counts.session)
load memory-second --mode=sessions --customers=64 --count=$((MEM_SECOND - MEM_FIRST)) --duration="$MEM_BUDGET" >/dev/null
RSS2=$(rss_bytes); LIVE2=$(curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$ADMIN_PORT/admin/actors?kind=session&limit=1" | jq .counts.session)
SESSIONS_RATE=$(json memory-second .done_per_s)
stop_service

# -- 5: passivation ---------------------------------------------------------------------------------------------

phase "5. passivation: $ACCOUNTS customer accounts passivated, then reactivated"
start_service passivation --actors.account_idle_s=1 --actors.session_idle_s=86400 --http.idle_timeout_s=3600
load passivation --mode=accounts --customers=64 --count="$ACCOUNTS" --admin-port="$ADMIN_PORT"
stop_service

# -- summary ----------------------------------------------------------------------------------------------------

phase "summary"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
round() { awk -v a="$1" 'BEGIN { printf "%.0f", a }'; }
say "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
say "commit: ${BOUTIQUE_COMMIT:-$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)}   service binary: $BOUTIQUE_BIN   quick: $QUICK"
say "mail drop: $( [[ $MAIL_ON_DISK == 1 ]] && echo "on disk beside the database" || echo "tmpfs (/dev/shm), standing in for the SMTP relay")"
say "load average at start: $LOAD_START; at end: $(cut -d' ' -f1-3 /proc/loadavg) (other processes compete for the $(nproc) cores)"
for customers in 32 256; do
  say ""
  say "-- $customers customers, ${DURATION} s each --"
  say "ceiling requests/s: $(round "$(json "ceiling-$customers" .requests_per_s)")   (p99 $(json "ceiling-$customers" .latency.request.p99_ms) ms)"
  say "checkouts/s: $(round "$(json "checkout-$customers" .done_per_s)")"
  say "checkout requests/s: $(round "$(json "checkout-$customers" .requests_per_s)")"
  say "ratio checkout/ceiling: $(ratio "$(json "checkout-$customers" .requests_per_s)" "$(json "ceiling-$customers" .requests_per_s)")"
  say "p99 per request: $(json "checkout-$customers" .latency.request.p99_ms) ms   p50 $(json "checkout-$customers" .latency.request.p50_ms) ms   whole checkout p99 $(json "checkout-$customers" .latency.checkout.p99_ms) ms"
  say "errors: $(jq -c .errors "$OUT/checkout-$customers.json")"
  say "verification: $(json "checkout-$customers" '.verification | "\(if .pass then "PASS" else "FAIL" end) acknowledged \(.acknowledged), found \(.found_complete)"')"
  raw_rate=$(awk '/^raw checkouts\/s:/ { print $3 }' "$OUT/sqlite-$customers.txt")
  batch_var=BATCH_$customers
  say "storage: mean batch ${!batch_var} writes/commit; raw SQLite checkouts/s: $raw_rate; ratio storage rows/s / raw SQLite rows/s: $(ratio "$(json "checkout-$customers" .done_per_s)" "$raw_rate")"
done
say ""
say "-- with logins (share $LOGIN_SHARE), 32 customers, ${DURATION} s --"
say "login mix: $(round "$(json login-32 .done_per_s)") checkouts per second (guest mix at 32 customers: $(round "$(json checkout-32 .done_per_s)")); $(json login-32 .latency.login.count) logins, p50 $(json login-32 .latency.login.p50_ms) ms, p99 $(json login-32 .latency.login.p99_ms) ms"
say "verification: $(json login-32 '.verification | "\(if .pass then "PASS" else "FAIL" end) acknowledged \(.acknowledged), found \(.found_complete)"')"
say ""
say "acknowledged checkouts: $ACKED; boutique_checkouts_completed_total: $COMPLETED"
say "memory: baseline RSS $RSS0 B; $LIVE1 live sessions: RSS $RSS1 B; $LIVE2 live sessions: RSS $RSS2 B (sessions created at $(round "$SESSIONS_RATE")/s)"
say "bytes per idle session: $(( (RSS2 - RSS0) / (LIVE2 - 1000 > 0 ? LIVE2 - 1000 : 1) )) (at $LIVE2 sessions; $(( (RSS1 - RSS0) / (LIVE1 - 1000 > 0 ? LIVE1 - 1000 : 1) )) at $LIVE1)"
say "passivation: $(awk '/^accounts_created:/ { a = $2 } /^passivation_wait_s:/ { w = $2 } /^reactivate_s:/ { r = $2 } /^reactivations_per_s:/ { p = $2 } END { printf "%d accounts passivated after %.1f s; reactivated in %.2f s = %.0f reactivations/s", a, w, r, p }' "$OUT/passivation.txt")"
say "passivation p99 per re-deposit: $(json passivation .latency.deposit.p99_ms) ms"
echo; echo "summary: $SUMMARY"
if [[ $FAILED_VERIFY == 1 ]]; then echo "VERIFICATION FAILED" >&2; exit 1; fi
