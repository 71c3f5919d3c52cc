#!/usr/bin/env bash
# tests/sanitizers/apt_sources.sh on a made-up apt configuration (a mirror that is not deb.debian.org, both list
# formats, a disabled file): the deb-src entries must name that mirror, and nothing else. Run by ctest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/etc/sources.list.d"
cat >"$work/etc/sources.list" <<'LIST'
# a comment
deb [signed-by=/usr/share/keyrings/k.gpg] http://mirror.example.net/debian bookworm main contrib
deb-src http://already.example.net/debian bookworm main
LIST
cat >"$work/etc/sources.list.d/debian.sources" <<'SOURCES'
Types: deb
URIs: http://mirror.example.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
echo "deb http://disabled.example.com/debian bookworm main" >"$work/etc/sources.list.d/old.list.disabled"
APT_ETC=$work/etc bash "$here/apt_sources.sh" "$work/out"
fail() { echo "apt_sources_test: FAILED: $1"; cat "$work/out/sources.list" "$work/out"/sources.list.d/*; exit 1; }
grep -qx 'deb-src \[signed-by=/usr/share/keyrings/k.gpg\] http://mirror.example.net/debian bookworm main contrib' \
  "$work/out/sources.list" || fail "one-line entry not turned into deb-src"
[[ $(wc -l <"$work/out/sources.list") -eq 1 ]] || fail "comments or deb-src lines copied"
grep -qx 'Types: deb-src' "$work/out/sources.list.d/debian.sources" || fail "deb822 entry not turned into deb-src"
grep -qx 'URIs: http://mirror.example.org/debian' "$work/out/sources.list.d/debian.sources" || fail "deb822 mirror lost"
! grep -rqs 'deb.debian.org\|disabled.example' "$work/out" || fail "a mirror not configured on the machine"
mkdir -p "$work/empty"
! APT_ETC=$work/empty bash "$here/apt_sources.sh" "$work/none" 2>/dev/null || fail "no source at all was accepted"
echo "apt_sources_test: deb-src entries follow the configured mirrors"
