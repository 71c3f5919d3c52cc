#!/usr/bin/env bash
# Issue 5, point 6: introspection must not stall the service.
# Creates SESSIONS live session actors, then, while shoppers keep requesting the catalog, asks the management
# endpoint for the actor counts again and again. Prints the latency of the counts and the shoppers' latency
# with and without introspection, measured side by side in one run. Targets 127.0.0.1 only; stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
SESSIONS=${SESSIONS:-100000}
BIN=${BOUTIQUE_BIN:-./build/boutique}
TOKEN=bench-token-0123456789abcdef0123456789
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT

BOUTIQUE_ADMIN_TOKEN=$TOKEN "$BIN" --http.port=0 --admin.port=0 --storage.path="$work/b.db" \
  --catalog.path=config/catalog.json --storage.synchronous=normal --actors.session_idle_s=86400 \
  --log.level=warn --http.max_connections=100000 --http.max_connections_per_address=100000 > "$work/log" 2>&1 &
server=$!
ports() { ss -ltnp 2>/dev/null | grep "pid=$server," | awk '{print $4}' | sed 's/.*://' | sort -n; }
for _ in $(seq 100); do [[ $(ports | wc -l) -ge 2 ]] && break; sleep 0.1; done
mapfile -t listening < <(ports)
p1=${listening[0]}
p2=${listening[1]}
# Tell the public port from the management one: only the management one answers /admin/health.
if curl -sf "http://127.0.0.1:$p1/admin/health" >/dev/null; then admin=$p1; http=$p2; else admin=$p2; http=$p1; fi
echo "service pid $server: http $http, management $admin"

count() { curl -s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$admin/admin/actors?limit=1" |
  python3 -c 'import sys,json; print(json.load(sys.stdin)["counts"]["session"])'; }

echo "creating $SESSIONS sessions..."
cat > "$work/create.lua" <<'LUA'
wrk.method = "POST"
wrk.path = "/api/v1/sessions"
LUA
start=$(date +%s.%N)
while [[ $(count) -lt $SESSIONS ]]; do
  wrk -t2 -c64 -d2s -s "$work/create.lua" "http://127.0.0.1:$http" > /dev/null
  echo "  live sessions: $(count)"
done
created=$(count)
elapsed=$(python3 -c "import time; print(round(time.time() - $start, 1))")
rss=$(awk '/VmRSS/ {print $2 * 1024}' /proc/$server/status)
echo "live sessions: $created in ${elapsed}s; resident memory $rss bytes ($((rss / created)) bytes per session incl. baseline)"

shoppers() { wrk -t1 -c32 -d10s --latency "http://127.0.0.1:$http/api/v1/catalog" | awk '/Requests\/sec|99%|50%/'; }
echo "shoppers alone (10 s, 32 connections on GET /api/v1/catalog):"
shoppers
echo "shoppers while an admin asks for the counts continuously:"
shoppers &
shop=$!
: > "$work/times"
end=$((SECONDS + 9))
while [[ $SECONDS -lt $end ]]; do
  curl -s -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" \
    "http://127.0.0.1:$admin/admin/actors?limit=100" >> "$work/times"
done
wait $shop
python3 - "$work/times" <<'PY'
import statistics, sys
t = sorted(float(x) for x in open(sys.argv[1]) if x.strip())
print(f"GET /admin/actors?limit=100 with {len(t)} calls: median {statistics.median(t)*1000:.1f} ms, "
      f"p90 {t[int(len(t)*0.9)]*1000:.1f} ms, max {t[-1]*1000:.1f} ms")
PY
