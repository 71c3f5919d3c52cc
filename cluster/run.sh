#!/usr/bin/env bash
# A local cluster on loopback: a throwaway PostgreSQL, three Boutique nodes sharing it, and HAProxy in front.
#   bash cluster/run.sh [NODES]        (3 by default; Ctrl-C stops everything and removes the temporary folder)
# Prints the addresses. Every node's log is in the temporary folder it names.
set -euo pipefail
cd "$(dirname "$0")/.."
nodes=${1:-3}
[[ $nodes =~ ^[1-9]$ ]] || { echo "cluster/run.sh: NODES is 1 to 9" >&2; exit 2; }
bash scripts/setup.sh
BOUTIQUE_TESTS=OFF bash scripts/build.sh
command -v haproxy >/dev/null || { echo "cluster/run.sh: haproxy missing (bash scripts/setup.sh installs it)" >&2; exit 2; }
exec bash scripts/with-postgres.sh bash cluster/nodes.sh "$nodes" "${CLUSTER_PORT:-8080}"
