#!/usr/bin/env bash
# Starts NODES Boutique nodes on the PostgreSQL database in BOUTIQUE_TEST_POSTGRES (scripts/with-postgres.sh) and
# HAProxy on 127.0.0.1:PORT in front of them; stops them all on Ctrl-C (or when one of them exits).
#   bash cluster/nodes.sh NODES PORT
# Node i listens on PORT+i (shop) and PORT+100+i (management); its data folder and log are in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=$1
port=$2
: "${BOUTIQUE_TEST_POSTGRES:?run through scripts/with-postgres.sh (cluster/run.sh does)}"
work=$(mktemp -d /tmp/boutique-cluster.XXXXXX)
# The nodes share these (a form one node served is posted to another); made for this run unless given.
export BOUTIQUE_CSRF_SECRET=${BOUTIQUE_CSRF_SECRET:-$(openssl rand -hex 24)}
token_note="(BOUTIQUE_ADMIN_TOKEN)"
if [[ -z ${BOUTIQUE_ADMIN_TOKEN:-} ]]; then
  BOUTIQUE_ADMIN_TOKEN=$(openssl rand -hex 24) token_note="$BOUTIQUE_ADMIN_TOKEN (made for this run)"
fi
export BOUTIQUE_ADMIN_TOKEN
pids=()
stop() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ -n ${KEEP_CLUSTER_LOGS:-} ]] || rm -rf "$work"
}
trap stop INT TERM EXIT
servers=""
for i in $(seq 1 "$nodes"); do
  mkdir -p "$work/n$i"
  ./build/boutique --config=config/boutique.ini \
    --storage.url="$BOUTIQUE_TEST_POSTGRES" \
    --cluster.node_id="n$i" --cluster.advertise="127.0.0.1:$((port + i))" \
    --http.port=$((port + i)) --admin.port=$((port + 100 + i)) --http.trusted_proxies=127.0.0.1 \
    --shop.base_url="http://127.0.0.1:$port" --shop.mail_dir="$work/n$i/mail" --storage.backup_dir="$work/n$i/backups" \
    >"$work/n$i/log" 2>&1 &
  pids+=($!)
  servers+="  server n$i 127.0.0.1:$((port + i)) check port $((port + 100 + i))"$'\n'
done
config=$(sed -e "s/@PORT@/$port/" cluster/haproxy.cfg)
printf '%s\n' "${config//@NODES@/$servers}" >"$work/haproxy.cfg"
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
pids+=($!)
for i in $(seq 1 "$nodes"); do
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$((port + 100 + i))/admin/health/ready" >/dev/null 2>&1 && break
    kill -0 "${pids[$((i - 1))]}" 2>/dev/null || { echo "node n$i did not start:" >&2; tail -20 "$work/n$i/log" >&2; exit 1; }
    sleep 0.1
  done
done
echo "Boutique cluster: $nodes nodes on PostgreSQL, HAProxy in front"
echo "  shop (HAProxy):  http://127.0.0.1:$port/"
for i in $(seq 1 "$nodes"); do
  echo "  node n$i:        http://127.0.0.1:$((port + i))/   management http://127.0.0.1:$((port + 100 + i))/admin/cluster"
done
echo "  admin token:     $token_note"
echo "                   curl -H \"Authorization: Bearer \$TOKEN\" http://127.0.0.1:$((port + 101))/admin/cluster"
echo "  logs:            $work"
echo "Ctrl-C stops everything."
wait -n "${pids[@]}" || true
echo "a process of the cluster exited; stopping the others (logs: $work/*/log, $work/haproxy.log)" >&2
tail -5 "$work/haproxy.log" >&2
exit 1
