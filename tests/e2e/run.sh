#!/usr/bin/env bash
# Browser tests of the pages: starts Boutique on free ports with a temporary database, drives Debian's Chromium
# through playwright-core (node's own test runner), then stops the service, also when a test fails.
# BOUTIQUE_BIN picks the binary (default ./build/boutique). Never downloads a browser. Under scripts/with-postgres.sh
# (BOUTIQUE_TEST_POSTGRES set) the service runs on a PostgreSQL database of its own on that server.
# Arguments, if any, name the test files to run (default: all of them), e.g. tests/e2e/dashboard.test.mjs.
set -euo pipefail
cd "$(dirname "$0")/../.."

BIN=${BOUTIQUE_BIN:-./build/boutique}
files=("$@")
((${#files[@]})) || files=(tests/e2e/shop.test.mjs tests/e2e/dashboard.test.mjs tests/e2e/pages.test.mjs
                          tests/e2e/account.test.mjs)
CHROMIUM=${BOUTIQUE_CHROMIUM:-/usr/bin/chromium}
[[ -x $BIN ]] || { echo "e2e: no executable at $BIN (build first)" >&2; exit 1; }
[[ -x $CHROMIUM ]] || { echo "e2e: no Chromium at $CHROMIUM (apt-get install chromium)" >&2; exit 1; }

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
npm ci --no-audit --no-fund --loglevel=error >/dev/null

TMP=$(mktemp -d)
SERVER_PID=""
SERVER_STATUS=0
# Stops the service and keeps its exit status: a clean stop is 0; a sanitized build (scripts/sanitize.sh asan
# browser) exits non-zero on a leak or a sanitizer report, which fails the run.
stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || SERVER_STATUS=$?
  fi
  SERVER_PID=""
}
trap 'stop_server; rm -rf "$TMP"' EXIT

storage=(--storage.path="$TMP/b.db")
if [[ -n ${BOUTIQUE_TEST_POSTGRES:-} ]]; then
  database=boutique_e2e_$$
  psql -q -v ON_ERROR_STOP=1 "$BOUTIQUE_TEST_POSTGRES" -c "CREATE DATABASE $database" >/dev/null
  storage=(--storage.url="${BOUTIQUE_TEST_POSTGRES/\/postgres\?//$database?}")
  echo "e2e: on PostgreSQL, database $database"
fi
ADMIN_TOKEN=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
"$BIN" --http.port=0 --admin.port=0 --admin.token="$ADMIN_TOKEN" "${storage[@]}" --shop.mail_dir="$TMP/mail" \
  --catalog.path=config/catalog.json \
  --storage.synchronous=normal --log.level=info \
  --seller.name="Formations Éclair SARL" --seller.address='3 place Bellecour\n69002 Lyon' >"$TMP/server.log" 2>&1 &
SERVER_PID=$!

# The bound ports are logged once each listener is up (the management listener starts second).
PORT=""
ADMIN_PORT=""
for _ in $(seq 1 300); do
  PORT=$(sed -n 's/.* http event=listening .*port=\([0-9][0-9]*\).*/\1/p' "$TMP/server.log" | head -n1)
  ADMIN_PORT=$(sed -n 's/.* admin event=listening .*port=\([0-9][0-9]*\).*/\1/p' "$TMP/server.log" | head -n1)
  [[ -n $PORT && -n $ADMIN_PORT ]] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { echo "e2e: the service exited:" >&2; cat "$TMP/server.log" >&2; exit 1; }
  sleep 0.1
done
[[ -n $PORT && -n $ADMIN_PORT ]] || { echo "e2e: the service did not start listening" >&2; cat "$TMP/server.log" >&2; exit 1; }

mkdir -p tests/e2e/screenshots
status=0
BOUTIQUE_URL="http://127.0.0.1:$PORT" BOUTIQUE_MAIL_DIR="$TMP/mail" BOUTIQUE_CHROMIUM="$CHROMIUM" \
  BOUTIQUE_ADMIN_URL="http://127.0.0.1:$ADMIN_PORT" BOUTIQUE_ADMIN_TOKEN="$ADMIN_TOKEN" \
  node --test "${files[@]}" || status=$?
stop_server
if ((SERVER_STATUS != 0)); then
  echo "e2e: the service exited with status $SERVER_STATUS when stopped" >&2
  status=1
fi
if ((status != 0)); then
  echo "e2e: service log (last 60 lines):" >&2
  tail -n 60 "$TMP/server.log" >&2
fi
exit "$status"
