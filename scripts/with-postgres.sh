#!/usr/bin/env bash
# Runs a command beside a PostgreSQL 15 server of its own, made for it in a temporary folder and removed afterwards:
#   bash scripts/with-postgres.sh COMMAND [ARG...]
# The command finds the server in BOUTIQUE_TEST_POSTGRES (a libpq URL of its superuser, over a Unix socket in that
# folder: no TCP port is opened); the tests make one database of their own in it per service they start
# (tests/support/storage.hpp). The server runs as the `postgres` user, since PostgreSQL refuses to run as root; it
# is stopped (fast shutdown) when the command ends, however it ends, and its exit status is the command's.
set -euo pipefail
BIN=${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}
[[ -x $BIN/initdb ]] || { echo "with-postgres: $BIN/initdb missing (bash scripts/setup.sh installs postgresql-15)" >&2; exit 2; }
as_postgres=()
if [[ $(id -u) -eq 0 ]]; then as_postgres=(runuser -u postgres --); fi
dir=$(mktemp -d /tmp/boutique-pg.XXXXXX)
chmod 755 "$dir"
[[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
# The command's exit status is kept (below) whatever the stop does; a server that does not stop is said, not hidden.
stop() {
  if ! "${as_postgres[@]}" "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1; then
    echo "with-postgres: the server in $dir did not stop cleanly" >&2
  fi
  rm -rf "$dir"
}
trap stop EXIT
"${as_postgres[@]}" "$BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
# Loopback tests only: no TCP listener, the socket in the folder. A throwaway server that no test stops: it does not
# wait for the disk (fsync off), which the tests' many databases (one a test, each created and dropped) would.
"${as_postgres[@]}" "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=300 -c shared_buffers=128MB \
      -c fsync=off -c full_page_writes=off -c synchronous_commit=off" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 2; }
export BOUTIQUE_TEST_POSTGRES="postgresql://postgres@/postgres?host=$dir"
set +e
"$@"
status=$?
set -e
exit "$status"
