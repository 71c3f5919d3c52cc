#!/usr/bin/env bash
# Writes, into folder $1, apt source lists for Debian *source* packages that use the machine's own mirrors: every
# `deb` entry of $APT_ETC (default /etc/apt) sources.list, sources.list.d/*.list (one-line format) and
# sources.list.d/*.sources (deb822) becomes a `deb-src` entry with the same URIs, suites, components and options.
# Output: $1/sources.list and $1/sources.list.d/; tests/sanitizers/caf_tsan.sh points a private apt at them.
set -euo pipefail
out=$1
etc=${APT_ETC:-/etc/apt}
mkdir -p "$out/sources.list.d"
: >"$out/sources.list"
shopt -s nullglob
for list in "$etc/sources.list" "$etc"/sources.list.d/*.list; do
  [[ -f $list ]] && sed -nE 's/^[[:space:]]*deb([[:space:]]+)/deb-src\1/p' "$list" >>"$out/sources.list"
done
for sources in "$etc"/sources.list.d/*.sources; do
  sed -E 's/^Types:.*$/Types: deb-src/I' "$sources" >"$out/sources.list.d/${sources##*/}"
done
if [[ ! -s $out/sources.list ]] && ! grep -qsi '^Types: deb-src' "$out"/sources.list.d/*.sources; then
  echo "apt_sources.sh: no deb entry in $etc/sources.list or $etc/sources.list.d/" >&2
  exit 1
fi
