#!/usr/bin/env bash
# Crash safety under the load generator (see bench/README.md, "Crash script"). boutique-load runs checkouts for
# the whole run while the service is killed with SIGKILL at random moments and restarted on the same database
# each time; the load is then stopped (it finishes, resuming if need be, the checkouts under way) and every
# checkout it saw acknowledged is verified in the database and read back through the API.
#   CRASH_KILLS=10           how many SIGKILLs in a row
#   CRASH_DELAY_MS=300-2000  each kill lands after a random delay from this range (ms after the previous start)
#   CRASH_CUSTOMERS=16       virtual customers of the load generator
#   CRASH_LOGIN=0.1          share of checkouts logging in with a password (0: none)
#   BOUTIQUE_BIN=path, BOUTIQUE_LOAD=path   use these binaries instead of building them (Release, build-crash/)
#   CRASH_OUT=dir            logs, ack log, reports and summary (default bench/out/crash)
#   BOUTIQUE_TEST_POSTGRES=url   run on PostgreSQL: a database of its own on that server (scripts/with-postgres.sh
#                            sets it), made with psql and dropped at the end, instead of an SQLite file
# Exit status: 0 when everything holds, 1 otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$ROOT/build-crash
OUT=${CRASH_OUT:-$ROOT/bench/out/crash}
KILLS=${CRASH_KILLS:-10}
DELAY_MS=${CRASH_DELAY_MS:-300-2000}
CUSTOMERS=${CRASH_CUSTOMERS:-16}
LOGIN=${CRASH_LOGIN:-0.1}
DELAY_MIN=${DELAY_MS%-*}; DELAY_MAX=${DELAY_MS#*-}
if ! [[ $KILLS =~ ^[0-9]+$ && $DELAY_MIN =~ ^[0-9]+$ && $DELAY_MAX =~ ^[0-9]+$ && $CUSTOMERS =~ ^[0-9]+$ ]] ||
   (( DELAY_MAX < DELAY_MIN || CUSTOMERS < 1 )); then
  echo "crash.sh: CRASH_KILLS and CRASH_CUSTOMERS are counts, CRASH_DELAY_MS is MIN-MAX milliseconds" >&2; exit 2
fi
SECRET=crash-payment-secret
export BOUTIQUE_PAYMENT_SECRET=$SECRET BOUTIQUE_ADMIN_TOKEN=crash-admin-token

if [[ -z ${BOUTIQUE_BIN:-} || -z ${BOUTIQUE_LOAD:-} ]]; then
  echo "build (Release, $BUILD)"
  targets=()
  [[ -n ${BOUTIQUE_BIN:-} ]] || targets+=(boutique)
  [[ -n ${BOUTIQUE_LOAD:-} ]] || targets+=(boutique-load)
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBOUTIQUE_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target "${targets[@]}" >/dev/null
  BOUTIQUE_BIN=${BOUTIQUE_BIN:-$BUILD/boutique}
  BOUTIQUE_LOAD=${BOUTIQUE_LOAD:-$BUILD/bench/boutique-load}
fi
source "$ROOT/bench/service.sh"

mkdir -p "$OUT"
rm -f "$OUT"/service-*.log "$OUT"/acks.jsonl "$OUT"/load.* "$OUT"/verify.* "$OUT"/summary.txt
DATA=$(mktemp -d /tmp/boutique-crash.XXXXXX)
DB=$DATA/b.db
MAIL_DIR=$DATA/mail
LOAD_PID=
PG_DB=
if [[ -n ${BOUTIQUE_TEST_POSTGRES:-} ]]; then
  PG_DB=boutique_crash_$$_$RANDOM
  psql -qX -v ON_ERROR_STOP=1 "$BOUTIQUE_TEST_POSTGRES" -c "CREATE DATABASE $PG_DB" >/dev/null
  # The server's URL with this database instead of its own (postgresql://user@/postgres?host=...).
  base=${BOUTIQUE_TEST_POSTGRES%%\?*}
  query=${BOUTIQUE_TEST_POSTGRES#"$base"}
  DB=${base%/*}/$PG_DB$query
fi

cleanup() {
  if [[ -n $LOAD_PID ]]; then kill -TERM "$LOAD_PID" 2>/dev/null || true; wait "$LOAD_PID" 2>/dev/null || true; fi
  if [[ -n $SVC_PID ]]; then kill -TERM "$SVC_PID" 2>/dev/null || true; wait "$SVC_PID" 2>/dev/null || true; fi
  rm -rf "$DATA"
  if [[ -n $PG_DB ]]; then
    psql -qX "$BOUTIQUE_TEST_POSTGRES" -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
fail() { echo "CRASH TEST FAILED: $*" | tee -a "$OUT/summary.txt" >&2; exit 1; }

STARTED=$SECONDS
launch_service "$OUT/service-0.log" "$DB" || fail "the service did not start"
# Restarts keep the ports: the load generator reconnects to the same address.
SAME_PORTS=(--http.port="$HTTP_PORT" --admin.port="$ADMIN_PORT")
echo "service on http $HTTP_PORT, admin $ADMIN_PORT, database ${PG_DB:-$DB}; $KILLS kills, ${DELAY_MIN}-${DELAY_MAX} ms apart"

# The duration is only a bound: the load is stopped (SIGTERM) after the last restart.
"$BOUTIQUE_LOAD" --port="$HTTP_PORT" --customers="$CUSTOMERS" --duration=$((KILLS * (DELAY_MAX / 1000 + 40) + 60)) \
  --login="$LOGIN" --mail-dir="$DATA/mail" --secret="$SECRET" --label=crash --ack-log="$OUT/acks.jsonl" \
  --json-out="$OUT/load.json" > "$OUT/load.txt" 2> "$OUT/load.progress" &
LOAD_PID=$!

# The first kill must find the load running: a kill during its start-up (reading the catalog) ends it, which is
# not what this test is about. Wait, bounded, until the service has answered that first request.
for ((waited = 0; waited < 300; waited++)); do
  grep -q 'route="GET /api/v1/catalog" status=200' "$OUT/service-0.log" && break
  kill -0 "$LOAD_PID" 2>/dev/null || fail "the load generator did not start; see $OUT/load.progress"
  sleep 0.1
done

for ((round = 1; round <= KILLS; round++)); do
  delay=$((DELAY_MIN + RANDOM % (DELAY_MAX - DELAY_MIN + 1)))
  # Fault injection, not synchronisation: the kill lands at a random moment of the load.
  sleep "$(awk -v ms="$delay" 'BEGIN { printf "%.3f", ms / 1000 }')"
  kill -0 "$LOAD_PID" 2>/dev/null || fail "the load generator stopped early; see $OUT/load.progress"
  kill -KILL "$SVC_PID"
  wait "$SVC_PID" 2>/dev/null || true
  launch_service "$OUT/service-$round.log" "$DB" "${SAME_PORTS[@]}" || fail "restart $round failed"
  echo "kill $round/$KILLS after $delay ms; restarted as pid $SVC_PID"
done

kill -TERM "$LOAD_PID"
LOAD_STATUS=0
wait "$LOAD_PID" || LOAD_STATUS=$?
LOAD_PID=
cat "$OUT/load.txt"
[[ -s $OUT/acks.jsonl ]] || fail "no checkout was acknowledged (load exit status $LOAD_STATUS)"

VERIFY_STATUS=0
"$BOUTIQUE_LOAD" --mode=verify --ack-log="$OUT/acks.jsonl" --verify-db="$DB" --port="$HTTP_PORT" \
  --json-out="$OUT/verify.json" > "$OUT/verify.txt" || VERIFY_STATUS=$?
cat "$OUT/verify.txt"

{
  echo
  echo "== crash summary: $KILLS SIGKILLs (${DELAY_MIN}-${DELAY_MAX} ms apart), $CUSTOMERS customers, login share $LOGIN, $((SECONDS - STARTED)) s =="
  grep -m1 "^checkouts: " "$OUT/load.txt" || true
  grep -m1 "^interrupted sessions: " "$OUT/load.txt" || echo "interrupted sessions: 0"
  grep -m1 "^verification: " "$OUT/verify.txt" || echo "verification: did not run"
  grep -m1 "^  duplicates: " "$OUT/verify.txt" || true
  grep -m1 "^  sessions read back: " "$OUT/verify.txt" || true
} | tee "$OUT/summary.txt"
(( LOAD_STATUS == 0 )) || fail "interrupted sessions did not resume (load exit status $LOAD_STATUS)"
(( VERIFY_STATUS == 0 )) || fail "verification (exit status $VERIFY_STATUS)"
echo "crash test: PASS" | tee -a "$OUT/summary.txt"
