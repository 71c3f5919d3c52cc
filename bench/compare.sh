#!/usr/bin/env bash
# Two service binaries side by side on the checkout mix (bench/run.sh's phase 2, guests only), in one run:
#   bash bench/compare.sh OLD_BINARY NEW_BINARY [ROUNDS]
# Each binary runs from the git tree it lies in (its configuration and catalog). Each round starts a fresh service
# of each binary in turn (the order alternates from round to round, so that
# neither always runs on a warmer or a quieter machine), runs the mix at 32 then at 256 customers for
# COMPARE_SECONDS (default 10) each, verifies every acknowledged checkout against the database, and stops it.
# Prints each round and, per load, the medians of checkouts/s and the ratio new / old, and where the service's CPU
# went: microseconds of CPU (user + system, from /proc) per completed checkout, in the whole service and in its
# busiest thread (the storage writer: the one detached thread that runs every write). The load generator is the
# one of this tree (build-bench/bench/boutique-load, built when missing), the same for both binaries; it shares
# the machine, so checkouts/s follows the service's CPU per checkout.
# Mail: each service drops its mails as files into a folder in /dev/shm, and the summary tells, per binary and round,
# how many of the mails its checkouts queued were still waiting when its loads ended: a mailer that falls behind
# leaves that work for after the measure. COMPARE_MAIL=held gives both an unusable mail folder instead (a path below a
# regular file), so that neither delivers during the loads (a newer mailer waits and retries; fd23169's stops):
# the checkout path alone, side by side.
# Results: COMPARE_OUT (default bench/out/compare/): one JSON per run, summary.txt.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OLD_BIN=$(realpath "${1:?usage: bench/compare.sh OLD_BINARY NEW_BINARY [ROUNDS]}")
NEW_BIN=$(realpath "${2:?usage: bench/compare.sh OLD_BINARY NEW_BINARY [ROUNDS]}")
ROUNDS=${3:-5}
SECONDS_EACH=${COMPARE_SECONDS:-10}
BUILD=${BENCH_BUILD:-$ROOT/build-bench}
OUT=${COMPARE_OUT:-$ROOT/bench/out/compare}
SECRET=bench-payment-secret
MAIL_MODE=${COMPARE_MAIL:-delivered}
[[ $MAIL_MODE == delivered || $MAIL_MODE == held ]] ||
  { echo "compare: COMPARE_MAIL is delivered or held" >&2; exit 1; }
export BOUTIQUE_ADMIN_TOKEN=bench-admin-token BOUTIQUE_PAYMENT_SECRET=$SECRET
for bin in "$OLD_BIN" "$NEW_BIN"; do [[ -x $bin ]] || { echo "compare: no executable $bin" >&2; exit 1; }; done
LOAD=$BUILD/bench/boutique-load
if [[ ! -x $LOAD ]]; then
  cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DBOUTIQUE_TESTS=OFF >/dev/null
  cmake --build "$BUILD" -j2 --target boutique-load >/dev/null
fi
mkdir -p "$OUT"
SUMMARY=$OUT/summary.txt
: > "$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }

source "$ROOT/bench/service.sh"
trap stop_service EXIT

# thread_ticks: "tid ticks" (user + system clock ticks) of every live thread of the service, then "all ticks" for
# the whole process (which keeps the ticks of threads that have ended). A thread that ends while it is read is left
# out.
thread_ticks() {
  local t ticks
  for t in /proc/"$SVC_PID"/task/*; do
    ticks=$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null) && echo "${t##*/} $ticks"
  done
  echo "all $(awk '{ print $14 + $15 }' /proc/"$SVC_PID"/stat)"
}
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# run_binary LABEL BINARY ROUND: one fresh service, the mix at 32 and 256 customers; appends
# "label round n rate cpu_us_per_checkout writer_us_per_checkout".
RATES=$OUT/rates.txt
: > "$RATES"
run_binary() {
  local label=$1 bin=$2 round=$3 customers name
  SVC_DIR=$(mktemp -d /tmp/boutique-compare.XXXXXX)
  MAIL_DIR=$(mktemp -d /dev/shm/boutique-compare-mail.XXXXXX)
  # Each binary runs from its own source tree, with that tree's configuration and catalog.
  local tree
  tree=$(git -C "$(dirname "$bin")" rev-parse --show-toplevel)
  local drop=$MAIL_DIR
  if [[ $MAIL_MODE == held ]]; then
    touch "$MAIL_DIR/not-a-folder"
    drop=$MAIL_DIR/not-a-folder/mail
  fi
  ROOT=$tree BOUTIQUE_BIN=$bin launch_service "$OUT/$label-$round.log" "$SVC_DIR/b.db" --shop.mail_dir="$drop"
  local checkouts=0
  for customers in 32 256; do
    name=$label-$round-$customers
    thread_ticks > "$OUT/$name.ticks-before"
    "$LOAD" --port="$HTTP_PORT" --secret="$SECRET" --label="$name" --json-out="$OUT/$name.json" --mode=checkout \
      --customers="$customers" --duration="$SECONDS_EACH" --login=0 --verify-db="$SVC_DIR/b.db" > "$OUT/$name.txt" ||
      { echo "compare: $name failed (see $OUT/$name.txt)" >&2; exit 1; }
    [[ $(jq -r .verification.pass "$OUT/$name.json") == true ]] || { echo "compare: $name: verification" >&2; exit 1; }
    thread_ticks > "$OUT/$name.ticks-after"
    # CPU per checkout: the whole service's, and its busiest thread's (a thread that started during the load counts
    # whole); 0 0 when no checkout completed.
    local cpu
    cpu=$(awk -v done_n="$(jq -r .done "$OUT/$name.json")" -v us="$TICK_US" '
      FNR == NR { before[$1] = $2; next }
      $1 == "all" { total = $2 - before["all"]; next }
      { d = $2 - before[$1]; if (d > top) top = d }
      END { if (done_n > 0) printf "%.0f %.0f", total * us / done_n, top * us / done_n; else printf "0 0" }' \
      "$OUT/$name.ticks-before" "$OUT/$name.ticks-after")
    echo "$label $round $customers $(jq -r .done_per_s "$OUT/$name.json") $cpu" >> "$RATES"
    checkouts=$((checkouts + $(jq -r .done "$OUT/$name.json")))
  done
  if command -v sqlite3 > /dev/null; then
    local waiting
    waiting=$(sqlite3 "file:$SVC_DIR/b.db?mode=ro" \
      "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL" 2>/dev/null || echo "?")
    echo "$label $round mails waiting at the end: $waiting after $checkouts checkouts" >> "$OUT/mail.txt"
  fi
  stop_service
}

say "old: $OLD_BIN"
say "new: $NEW_BIN"
say "rounds: $ROUNDS, ${SECONDS_EACH} s per load, mail $MAIL_MODE;" \
  "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$OUT/mail.txt"
for ((round = 1; round <= ROUNDS; round++)); do
  if ((round % 2)); then order=(old new); else order=(new old); fi
  for label in "${order[@]}"; do
    if [[ $label == old ]]; then run_binary old "$OLD_BIN" "$round"; else run_binary new "$NEW_BIN" "$round"; fi
  done
  say "round $round: $(awk -v r="$round" '$2 == r { printf "%s@%s %.0f/s (%s us, writer %s)  ", $1, $3, $4, $5, $6 }' \
    "$RATES")"
done
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
# figure LABEL CUSTOMERS COLUMN: the median of one column of the rates over the rounds.
figure() { awk -v l="$1" -v c="$2" -v k="$3" '$1 == l && $3 == c { print $k }' "$RATES" | median; }
for customers in 32 256; do
  for what in "checkouts/s:4" "CPU us per checkout:5" "writer CPU us per checkout:6"; do
    old=$(figure old "$customers" "${what##*:}")
    new=$(figure new "$customers" "${what##*:}")
    ratio=$(awk -v a="$new" -v b="$old" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }')
    say "$customers customers: ${what%:*} median old $(printf %.0f "$old"), new $(printf %.0f "$new"), new/old $ratio"
  done
done
[[ -s $OUT/mail.txt ]] && say "$(cat "$OUT/mail.txt")"
say "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
