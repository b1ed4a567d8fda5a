#!/usr/bin/env bash
# postback_throughput.sh - conversions per second through `POST /v1/conversions` in batches,
# each answered with every item's fate once the aggregator confirmed it, against nginx
# taking the same POSTs (`return 200`, access log on) in the same run, alternated.
#
#   Benchmarks/scripts/postback_throughput.sh            # ROUNDS=3, BATCH=100, wrk -t1 -c32 -d10s
#   ROUNDS=5 BATCH=1000 CONNS=8 Benchmarks/scripts/postback_throughput.sh
#
# Each request holds BATCH conversions with event ids no other request uses
# (lib/postback_batch.lua), so every item is checked, sent to the aggregator in a batch of its
# own, de-duplicated against every id of the last 48 h, counted, and answered `accepted`. The
# collector is `pixelpulse serve` (collector and aggregator in one process). After each
# collector run, /metrics must say that every item wrk sent is `accepted` (up to CONNS requests
# in flight when wrk stopped) and none is pending, invalid or failed.
#
# Env: ROUNDS (3), BATCH (100), DURATION (10s), CONNS (32), WORK (temp dir, removed afterwards).
# Needs: swift, nginx, wrk, curl, python3.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${ROUNDS:-3}
BATCH=${BATCH:-100}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
export BATCH TOKEN="bench-token-0123456789abcdef"
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
echo "# wrk -t1 -c$CONNS -d$DURATION, POST /v1/conversions with $BATCH new conversions each, ROUNDS=$ROUNDS, alternating with nginx"
declare -A ITEMS_OF P99_OF
RATIOS=()
DIFFS=""
for i in $(seq "$ROUNDS"); do
  echo "  round $i:" >&2
  order="collector nginx"; [ $((i % 2)) = 0 ] && order="nginx collector"
  for server in $order; do
    run_one "$server"
    ITEMS_OF[$server]+="$ITEMS "; P99_OF[$server]+="$P99 "
    eval "last_$server=$ITEMS"
    if [ "$server" = collector ]; then DIFFS+="$DIFF "; fi
  done
  # shellcheck disable=SC2154  # set by eval above
  RATIOS+=("$(awk -v a="$last_collector" -v b="$last_nginx" 'BEGIN { printf "%.3f", a / b }')")
done
med() { printf '%s\n' $1 | median; }
echo
echo "| server | conversions/s (median of $ROUNDS) | p99 per request, per run |"
echo "|---|---|---|"
printf '| pixelpulse serve, each item confirmed | %.0f | %s |\n' "$(med "${ITEMS_OF[collector]}")" "${P99_OF[collector]% }"
printf '| nginx return 200, log on (the same requests, unread) | %.0f | %s |\n' "$(med "${ITEMS_OF[nginx]}")" "${P99_OF[nginx]% }"
echo
echo "collector/nginx: median of per-round ratios $(printf '%s\n' "${RATIOS[@]}" | median); accepted - sent per run: ${DIFFS% } (0..$((CONNS * BATCH)) = in flight)"
