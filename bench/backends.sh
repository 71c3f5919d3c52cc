#!/usr/bin/env bash
# SQLite on one node, PostgreSQL on one node, and PostgreSQL under a cluster (docs/CLUSTER.md) of one node and of
# three nodes behind HAProxy (cluster1, cluster3: the cluster's own cost, then that of three processes), side by
# side in one run: the same Release binary, a fresh database each run, alternating, ROUNDS
# rounds (default 2) of the checkout mix at 256 customers for 10 s. PostgreSQL 15 runs as a throwaway server in a
# temporary folder (Unix socket, fsync and synchronous_commit on: an acknowledged checkout is on disk, as with
# SQLite's synchronous = full); everything shares the machine's cores with the load.
# Prints, per run: checkouts/s, the load's verification, CPU per checkout of the nodes (all of them), of PostgreSQL
# and of HAProxy, and PostgreSQL's WAL and database growth per checkout (the inputs of the 10-node model in
# bench/RESULTS.md).
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
  stop_cluster
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
ticks_of() { local sum=0 pid; for pid in "$@"; do sum=$((sum + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0))); done; echo "$sum"; }
free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export BOUTIQUE_CSRF_SECRET=bench-csrf-secret-shared-by-every-node

# launch_cluster NAME DB NODES: NODES nodes on the PostgreSQL database DB and HAProxy in front (cluster/haproxy.cfg);
# sets NODE_PIDS, HAPROXY_PID and HTTP_PORT (HAProxy's).
NODE_PIDS=(); HAPROXY_PID=
launch_cluster() {
  local name=$1 db=$2 nodes=$3 servers="" i port admin
  NODE_PIDS=()
  for ((i = 1; i <= nodes; i++)); do
    port=$(free_port); admin=$(free_port)
    (cd "$ROOT" && exec "$BOUTIQUE_BIN" --http.port="$port" --admin.port="$admin" --storage.url="$db" \
      --shop.mail_dir="$MAIL_DIR/n$i" --storage.synchronous=full --catalog.path="$ROOT/config/catalog.json" \
      --http.max_connections_per_address=1000000 --http.trusted_proxies=127.0.0.1 \
      --cluster.node_id="n$i" --cluster.advertise="127.0.0.1:$port") > "$OUT/$name-n$i.log" 2>&1 &
    NODE_PIDS+=($!)
    servers+="  server n$i 127.0.0.1:$port check port $admin"$'\n'
    local deadline=$((SECONDS + 30))
    until curl -fsS "http://127.0.0.1:$admin/admin/health/ready" >/dev/null 2>&1; do
      kill -0 "${NODE_PIDS[-1]}" 2>/dev/null && ((SECONDS < deadline)) || { tail -5 "$OUT/$name-n$i.log" >&2; return 1; }
      sleep 0.1  # polling readiness, with a deadline
    done
  done
  HTTP_PORT=$(free_port)
  local config
  config=$(sed -e "s/@PORT@/$HTTP_PORT/" "$ROOT/cluster/haproxy.cfg")
  printf '%s\n' "${config//@NODES@/${servers%$'\n'}}" > "$OUT/$name-haproxy.cfg"
  haproxy -db -f "$OUT/$name-haproxy.cfg" > "$OUT/$name-haproxy.log" 2>&1 &
  HAPROXY_PID=$!
  local deadline=$((SECONDS + 10))
  until curl -fsS "http://127.0.0.1:$HTTP_PORT/api/v1/catalog" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { cat "$OUT/$name-haproxy.log" >&2; return 1; }
    sleep 0.1  # polling HAProxy, with a deadline
  done
}
stop_cluster() {
  local pid
  for pid in "${NODE_PIDS[@]}" $HAPROXY_PID; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${NODE_PIDS[@]}" $HAPROXY_PID; do wait "$pid" 2>/dev/null || true; done
  NODE_PIDS=(); HAPROXY_PID=
  rm -rf "$SVC_DIR" "$MAIL_DIR"
}

for ((round = 1; round <= ROUNDS; round++)); do
  for backend in sqlite postgresql cluster1 cluster3; do
    SVC_DIR=$(mktemp -d /tmp/boutique-backends-svc.XXXXXX)
    MAIL_DIR=$(mktemp -d /dev/shm/boutique-backends-mail.XXXXXX)
    db=$SVC_DIR/b.db
    name=$backend-$round
    if [[ $backend != sqlite ]]; then
      psql -qX "$SERVER" -c "CREATE DATABASE bench_${backend}_$round"
      db="postgresql://postgres@/bench_${backend}_$round?host=$PG"
    fi
    if [[ $backend == cluster* ]]; then
      launch_cluster "$name" "$db" "${backend#cluster}"
      pids=("${NODE_PIDS[@]}")
    else
      launch_service "$OUT/$name.log" "$db" --shop.mail_dir="$MAIL_DIR"
      pids=("$SVC_PID")
    fi
    wal_before=0 size_before=0
    if [[ $backend != sqlite ]]; then
      wal_before=$(psql -qAtX "$db" -c "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
      size_before=$(psql -qAtX "$db" -c "SELECT pg_database_size(current_database())")
    fi
    service_before=$(ticks_of "${pids[@]}")
    postgres_before=$(postgres_ticks)
    haproxy_before=$(ticks_of $HAPROXY_PID)
    "$LOAD" --port="$HTTP_PORT" --secret="$SECRET" --label="$name" --json-out="$OUT/$name.json" --mode=checkout \
      --customers=256 --duration=10 --login=0 --verify-db="$db" > "$OUT/$name.txt" 2> "$OUT/$name.progress"
    service_after=$(ticks_of "${pids[@]}")
    postgres_after=$(postgres_ticks)
    haproxy_after=$(ticks_of $HAPROXY_PID)
    done_n=$(jq -r .done "$OUT/$name.json")
    wal=0 size=0
    if [[ $backend != sqlite ]]; then
      wal=$(( $(psql -qAtX "$db" -c "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn") - wal_before ))
      size=$(( $(psql -qAtX "$db" -c "SELECT pg_database_size(current_database())") - size_before ))
    fi
    printf '%s round %d: %.0f checkouts/s, verification %s, CPU per checkout: nodes %d us, postgres %d us, haproxy %d us; per checkout: WAL %d bytes, database %d bytes\n' \
      "$backend" "$round" "$(jq -r .done_per_s "$OUT/$name.json")" "$(jq -r .verification.pass "$OUT/$name.json")" \
      $(( (service_after - service_before) * TICK_US / done_n )) \
      $(( (postgres_after - postgres_before) * TICK_US / done_n )) \
      $(( (haproxy_after - haproxy_before) * TICK_US / done_n )) \
      $(( wal / done_n )) $(( size / done_n )) \
      | tee -a "$OUT/summary.txt"
    if [[ $backend == cluster* ]]; then stop_cluster; else stop_service; fi
  done
done
