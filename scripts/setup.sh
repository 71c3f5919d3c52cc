#!/usr/bin/env bash
# Installs every Debian package Boutique needs to build, run and test. Idempotent and quiet when all is present.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build mold pkg-config git
  libcaf-dev
  libboost1.81-dev libboost-json1.81-dev
  libsqlite3-dev sqlite3
  postgresql-15 libpq-dev
  libspdlog-dev libfmt-dev
  nlohmann-json3-dev
  libsodium-dev
  libmimalloc-dev
  libkainjow-mustache-dev
  libcairo2-dev libpango1.0-dev fonts-dejavu-core poppler-utils
  libgtest-dev libgmock-dev
  libcurl4-openssl-dev python3-aiosmtpd haproxy nginx-light openssl systemd
  curl wrk
  prometheus
  clang libclang-rt-14-dev
  chromium
)
# node and npm run the browser tests (tests/e2e); a machine that already has them (e.g. from NodeSource) keeps its own.
command -v npm >/dev/null 2>&1 || PACKAGES+=(nodejs npm)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
