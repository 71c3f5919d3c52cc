#!/usr/bin/env bash
# Sets everything up and runs Boutique on its embedded default: SQLite in data/boutique.db,
# HTTP on 127.0.0.1:8080, management on 127.0.0.1:8081. Extra arguments are passed on (--section.key=value).
set -euo pipefail
cd "$(dirname "$0")/.."
BOUTIQUE_TESTS=OFF bash scripts/build.sh
exec ./build/boutique --config=config/boutique.ini "$@"
