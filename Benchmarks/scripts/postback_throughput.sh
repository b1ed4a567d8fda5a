#!/usr/bin/env bash
# postback_throughput.sh - conversions per second through `POST /v1/conversions` in batches,
# each answered with every item's fate once the aggregator confirmed it, against nginx
# taking the same POSTs (`return 200`, access log on) in the same run, alternated.
#
#   Benchmarks/scripts/postback_throughput.sh            # ROUNDS=3, 100 conversions a request, wrk -t1 -c32 -d10s
#   BATCHES="1 10 100 1000" ROUNDS=1 DURATION=5s Benchmarks/scripts/postback_throughput.sh   # how the rate grows with the batch
#
# Each request holds BATCH conversions (each of BATCHES in turn) with event ids no other request uses
# (lib/postback_batch.lua), so every item is checked, sent to the aggregator in a batch of its
# own, de-duplicated against every id of the last 48 h, counted, and answered `accepted`. The
# collector is `pixelpulse serve` (collector and aggregator in one process). After each
# collector run, /metrics must say that every item wrk sent is `accepted` (up to CONNS requests
# in flight when wrk stopped) and none is pending, invalid or failed.
#
# Prints a markdown table, a row per batch size, and with gnuplot a PNG of conversions/s by
# batch size (PLOT).
#
# Env: ROUNDS (3), BATCHES (conversions per request, a list: "100"), DURATION (10s), CONNS (32),
#      PLOT (the PNG; ${TMPDIR:-/tmp}/postback_throughput.png; empty for none), WORK (temp dir).
# Needs: swift, nginx, wrk, curl, python3; for the plot gnuplot (Debian's gnuplot-nox).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${ROUNDS:-3}
BATCHES=${BATCHES:-100}
PLOT=${PLOT-${TMPDIR:-/tmp}/postback_throughput.png}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
export TOKEN="bench-token-0123456789abcdef"
use_work_dir postback-throughput
SERVER_PID=""
trap 'stop_pid "$SERVER_PID" TERM; if [ "$KEEP_WORK" = 0 ]; then rm -rf "$WORK"; fi' EXIT
trap 'exit 130' INT TERM

build "$ROOT" pixelpulse
PIXELPULSE="$(cd "$ROOT" && swift build -c release --show-bin-path)/pixelpulse"

metric() { # name{labels} -> value from the collector's /metrics
  curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -v n="$1" '$1 == n {printf "%.0f", $2; found=1} END {if (!found) print 0}'
}
start_collector() {
  PIXELPULSE_CONVERSION_TOKENS=$TOKEN "$PIXELPULSE" serve --http "127.0.0.1:$PORT" --ingest 'tcp://127.0.0.1:*' \
    --feed 'tcp://127.0.0.1:*' --snapshot 'tcp://127.0.0.1:*' >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && return 0; sleep 0.1; done
  cat "$WORK/serve.err" >&2; echo "collector did not become ready" >&2; return 1
}
start_nginx() {
  start_nginx_with 'location /v1/conversions { return 200 "{}\n"; }'
}
accepted() { metric 'pixelpulse_collector_conversions_total{fate="accepted"}'; }

run_one() { # collector|nginx -> ITEMS (per second), P50, P99, DIFF (items accepted - items wrk counted)
  local server=$1 out a0 a1 requests
  PORT=$(free_port)
  "start_$server" || return 1
  wrk -t1 -c"$CONNS" -d2s -s "$HERE/lib/postback_batch.lua" "http://127.0.0.1:$PORT" >/dev/null  # warm-up
  if [ "$server" = collector ]; then a0=$(accepted); fi
  out=$(wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$HERE/lib/postback_batch.lua" "http://127.0.0.1:$PORT")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  ITEMS=$(awk -v b="$BATCH" '/^Requests\/sec/ {printf "%.0f", $2 * b}' <<<"$out")
  P50=$(awk '$1=="50%" {print $2}' <<<"$out"); P99=$(awk '$1=="99%" {print $2}' <<<"$out")
  DIFF=0
  if [ "$server" = collector ]; then
    sleep 1  # answers in flight when wrk stopped
    a1=$(accepted)
    DIFF=$((a1 - a0 - requests * BATCH))
    local bad
    bad=$(curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '$1 ~ /conversions_total\{fate="(pending|invalid|failed)"\}/ {s += $2} END {printf "%.0f", s}')
    [ "$bad" = 0 ] || { echo "    $bad conversions pending, invalid or failed" >&2; DIFF="LOSS:$DIFF"; }
  fi
  stop_pid "$SERVER_PID" "$([ "$server" = nginx ] && echo QUIT || echo TERM)"; SERVER_PID=""
  printf '    %-9s items/s=%s p50=%s p99=%s requests=%s accepted-sent=%s %s\n' "$server" "$ITEMS" "$P50" "$P99" "$requests" "$DIFF" \
    "$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ' ' || true)" >&2
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, pixelpulse $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
echo "# wrk -t1 -c$CONNS -d$DURATION, POST /v1/conversions with BATCH new conversions each (BATCHES=\"$BATCHES\"), ROUNDS=$ROUNDS, alternating with nginx"
med() { printf '%s\n' $1 | median; }
echo
echo "| items per request | conversions/s (median of $ROUNDS) | requests/s | p99 per request, per run | nginx, the same requests unread (conversions/s) | accepted - sent, per run |"
echo "|---|---|---|---|---|---|"
: >"$WORK/plot.dat"
for BATCH in $BATCHES; do
  export BATCH
  declare -A ITEMS_OF=() P99_OF=()
  DIFFS=""
  for i in $(seq "$ROUNDS"); do
    echo "  batch $BATCH, round $i:" >&2
    order="collector nginx"; [ $((i % 2)) = 0 ] && order="nginx collector"
    for server in $order; do
      run_one "$server"
      ITEMS_OF[$server]+="$ITEMS "; P99_OF[$server]+="$P99 "
      if [ "$server" = collector ]; then DIFFS+="$DIFF "; fi
    done
  done
  rate=$(med "${ITEMS_OF[collector]}")
  printf '| %s | %.0f | %.0f | %s | %.0f | %s |\n' "$BATCH" "$rate" "$(awk -v r="$rate" -v b="$BATCH" 'BEGIN { print r / b }')" \
    "${P99_OF[collector]% }" "$(med "${ITEMS_OF[nginx]}")" "${DIFFS% } (0..$((CONNS * BATCH)) in flight)"
  echo "$BATCH $rate" >>"$WORK/plot.dat"
done
if [ -n "$PLOT" ] && command -v gnuplot >/dev/null; then
  gnuplot <<EOF
set terminal pngcairo size 800,450
set output '$PLOT'
set title 'POST /v1/conversions: conversions per second by items per request'
set xlabel 'items per request'
set ylabel 'conversions/s'
set logscale x
set yrange [0:*]
set grid
plot '$WORK/plot.dat' using 1:2 with linespoints title 'pixelpulse serve, each item confirmed'
EOF
  echo
  echo "plot: $PLOT"
fi
