# Starting the service under test, for bench/run.sh and bench/crash.sh (sourced, not run).
# Needs ROOT (the source tree) and BOUTIQUE_BIN; sets SVC_PID, HTTP_PORT and ADMIN_PORT.

SVC_PID=; HTTP_PORT=; ADMIN_PORT=
SVC_DIR=; MAIL_DIR=  # the caller's: the service's folder and its mail drop, removed by stop_service

# launch_service LOG DB [--option=value...]: starts the service on the SQLite file DB (or the PostgreSQL database DB,
# a postgresql:// URL, its mail drop then in MAIL_DIR or beside the log) with storage.synchronous=full
# (acknowledged = on disk), on free ports unless the options name them (later options win), without the per-address
# connection cap (every virtual customer connects from 127.0.0.1), logging to LOG; waits
# for its `event=listening` lines (polling the log, 30 s at most) and reads the ports from them.
launch_service() {
  local log=$1 db=$2; shift 2
  # An older binary (bench/compare.sh) may predate the per-address cap: it then has none to lift.
  local uncapped=()
  if "$BOUTIQUE_BIN" --help 2>&1 | grep -q -- '--http.max_connections_per_address'; then
    uncapped=(--http.max_connections_per_address=1000000)
  fi
  local storage=(--storage.path="$db")
  if [[ $db == postgresql://* ]]; then
    storage=(--storage.url="$db" --shop.mail_dir="${MAIL_DIR:-$(dirname "$log")/mail}")
  fi
  (cd "$ROOT" && exec "$BOUTIQUE_BIN" --http.port=0 --admin.port=0 "${storage[@]}" \
      --storage.synchronous=full --catalog.path="$ROOT/config/catalog.json" "${uncapped[@]}" "$@") > "$log" 2>&1 &
  SVC_PID=$!
  local deadline=$((SECONDS + 30))
  until grep -q "admin event=listening" "$log" 2>/dev/null; do
    if ! kill -0 "$SVC_PID" 2>/dev/null || (( SECONDS > deadline )); then
      echo "the service did not start; see $log" >&2; tail -5 "$log" >&2; return 1
    fi
    sleep 0.1  # polling the log for the listening line, with a deadline
  done
  HTTP_PORT=$(grep -m1 "http event=listening" "$log" | sed 's/.*port=\([0-9]*\).*/\1/')
  ADMIN_PORT=$(grep -m1 "admin event=listening" "$log" | sed 's/.*port=\([0-9]*\).*/\1/')
}

# stop_service: stops the service started last (SIGTERM, then waits for it) and removes SVC_DIR and MAIL_DIR.
stop_service() {
  [[ -n $SVC_PID ]] || return 0
  kill -TERM "$SVC_PID" 2>/dev/null || true
  wait "$SVC_PID" 2>/dev/null || true
  rm -rf "$SVC_DIR" "$MAIL_DIR"
  SVC_PID=
}
