#!/usr/bin/env bash
# Profiles the service under the checkout mix with valgrind --tool=callgrind (perf has no hardware counters on
# this machine: `perf stat -e instructions true` reports "not supported"). Short and slow by nature (~50x):
# PROFILE_SECONDS (default 20) of checkouts by PROFILE_CUSTOMERS (default 16) customers.
# Output: bench/out/callgrind.out and bench/out/profile.txt (inclusive and self cost, top functions).
# Uses the binaries built by bench/run.sh (or BOUTIQUE_BIN).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build-bench
OUT=${BENCH_OUT:-$ROOT/bench/out}
BIN=${BOUTIQUE_BIN:-$BUILD/boutique}
SECONDS_OF_LOAD=${PROFILE_SECONDS:-20}
CUSTOMERS=${PROFILE_CUSTOMERS:-16}
mkdir -p "$OUT"
DIR=$(mktemp -d /tmp/boutique-profile.XXXXXX)
export BOUTIQUE_ADMIN_TOKEN=bench-admin-token BOUTIQUE_PAYMENT_SECRET=bench-payment-secret

(cd "$ROOT" && exec valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" "$BIN" --http.port=0 \
   --admin.port=0 --storage.path="$DIR/b.db" --storage.synchronous=full --catalog.path="$ROOT/config/catalog.json" \
   --http.request_timeout_s=60) > "$OUT/profile-service.log" 2>&1 &
PID=$!
deadline=$((SECONDS + 120))
until grep -q "http event=listening" "$OUT/profile-service.log"; do
  (( SECONDS < deadline )) || { echo "service did not start under valgrind" >&2; kill "$PID"; exit 1; }
  sleep 0.5  # polling the log with a deadline
done
PORT=$(grep -m1 "http event=listening" "$OUT/profile-service.log" | sed 's/.*port=\([0-9]*\).*/\1/')
"$BUILD/bench/boutique-load" --port="$PORT" --secret=bench-payment-secret --customers="$CUSTOMERS" \
  --duration="$SECONDS_OF_LOAD" --label=profile | tee "$OUT/profile-load.txt"
kill -TERM "$PID"
wait "$PID" || true
rm -rf "$DIR"
callgrind_annotate --inclusive=yes "$OUT/callgrind.out" > "$OUT/profile-inclusive.txt" 2>/dev/null || true
callgrind_annotate "$OUT/callgrind.out" > "$OUT/profile-self.txt" 2>/dev/null || true
{ echo "== inclusive =="; sed -n 1,70p "$OUT/profile-inclusive.txt"; echo "== self =="; sed -n 1,70p "$OUT/profile-self.txt"; } > "$OUT/profile.txt"
echo "profile: $OUT/profile.txt"
