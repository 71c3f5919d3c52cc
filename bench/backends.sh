#!/usr/bin/env bash
# SQLite against PostgreSQL on one node, side by side in one run: the same Release binary, a fresh database each
# run, alternating, ROUNDS rounds (default 2) of the checkout mix at 256 customers for 10 s. PostgreSQL 15 runs as a
# throwaway server in a temporary folder (Unix socket, fsync and synchronous_commit on: an acknowledged checkout is
# on disk, as with SQLite's synchronous = full); it shares the machine's cores with the service and the load.
# Prints, per run: checkouts/s, the load's verification, and CPU per checkout of the service and of PostgreSQL.
#   bash bench/backends.sh [ROUNDS]      (BENCH_BUILD: the Release build to use, default build-bench/)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROUNDS=${1:-2}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
OUT=${BENCH_OUT:-$ROOT/bench/out/backends}
if [[ ! -x $BUILD/boutique || ! -x $BUILD/bench/boutique-load ]]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBOUTIQUE_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target boutique boutique-load >/dev/null
fi
BOUTIQUE_BIN=$BUILD/boutique
LOAD=$BUILD/bench/boutique-load
SECRET=bench-payment-secret
export BOUTIQUE_ADMIN_TOKEN=bench-admin-token BOUTIQUE_PAYMENT_SECRET=$SECRET
source "$ROOT/bench/service.sh"
mkdir -p "$OUT"
: > "$OUT/summary.txt"

PG_BIN=/usr/lib/postgresql/15/bin
PG=$(mktemp -d /tmp/boutique-backends.XXXXXX)
as_postgres=()
if [[ $(id -u) -eq 0 ]]; then as_postgres=(runuser -u postgres --); chown postgres: "$PG"; fi
"${as_postgres[@]}" "$PG_BIN/initdb" -D "$PG/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$PG/data" -l "$PG/server.log" -w \
  -o "-c listen_addresses='' -c unix_socket_directories='$PG' -c shared_buffers=256MB" start >/dev/null
SERVER="postgresql://postgres@/postgres?host=$PG"
finish() {
  stop_service
  "${as_postgres[@]}" "$PG_BIN/pg_ctl" -D "$PG/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG"
}
trap finish EXIT

postgres_ticks() {
  local sum=0 pid
  local postmaster
  postmaster=$(head -1 "$PG/data/postmaster.pid")
  for pid in "$postmaster" $(pgrep -P "$postmaster" || true); do
    sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

for ((round = 1; round <= ROUNDS; round++)); do
  for backend in sqlite postgresql; do
    SVC_DIR=$(mktemp -d /tmp/boutique-backends-svc.XXXXXX)
    MAIL_DIR=$(mktemp -d /dev/shm/boutique-backends-mail.XXXXXX)
    db=$SVC_DIR/b.db
    if [[ $backend == postgresql ]]; then
      psql -qX "$SERVER" -c "CREATE DATABASE bench_$round"
      db="postgresql://postgres@/bench_$round?host=$PG"
    fi
    name=$backend-$round
    launch_service "$OUT/$name.log" "$db" --shop.mail_dir="$MAIL_DIR"
    service_before=$(awk '{ print $14 + $15 }' "/proc/$SVC_PID/stat")
    postgres_before=$(postgres_ticks)
    "$LOAD" --port="$HTTP_PORT" --secret="$SECRET" --label="$name" --json-out="$OUT/$name.json" --mode=checkout \
      --customers=256 --duration=10 --login=0 --verify-db="$db" > "$OUT/$name.txt" 2> "$OUT/$name.progress"
    service_after=$(awk '{ print $14 + $15 }' "/proc/$SVC_PID/stat")
    postgres_after=$(postgres_ticks)
    done_n=$(jq -r .done "$OUT/$name.json")
    printf '%s round %d: %.0f checkouts/s, verification %s, CPU per checkout: service %d us, postgres %d us\n' \
      "$backend" "$round" "$(jq -r .done_per_s "$OUT/$name.json")" "$(jq -r .verification.pass "$OUT/$name.json")" \
      $(( (service_after - service_before) * TICK_US / done_n )) \
      "$( [[ $backend == postgresql ]] && echo $(( (postgres_after - postgres_before) * TICK_US / done_n )) || echo 0 )" \
      | tee -a "$OUT/summary.txt"
    stop_service
  done
done
