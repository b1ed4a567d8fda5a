#!/usr/bin/env bash
# feed_latency.sh - how long a pixel hit takes to show in the live feed, under steady load.
#
#   Benchmarks/scripts/feed_latency.sh                      # ~20 000 hits/s background, tick 250 ms
#   RATES="0 20000" TICK_MS=100 Benchmarks/scripts/feed_latency.sh
#
# Builds `pixelpulse` (`swift build -c release --product pixelpulse` at the repo root). For each
# background rate in RATES, a fresh `pixelpulse serve --http 127.0.0.1:<free port>
# --ingest tcp://127.0.0.1:* --feed tcp://127.0.0.1:* --tick-ms TICK_MS` (no demo), then:
#
# * background load (rate > 0): wrk -t1 with lib/steady_hits.lua, each connection waiting
#   DELAY_MS between requests, CONNS = rate x (DELAY_MS + 0.3) / 1000 connections; hits spread
#   over 1000 campaigns x 10 pixels (views, ~4 % clicks, ~1 % conversions). The achieved rate
#   is measured on the collector: hits_total from /metrics over the probe's run, minus probes
#   (a 3 s calibration run first scales the connection count to the rate it reached);
# * after 2 s, lib/feed_probe.py (python3 + pyzmq): a keep-alive HTTP client fires a hit every
#   ~PROBE_MS (50, jittered +-50 %) for DURATION_S (40) s, in turn on PROBE_PIXELS (16) otherwise
#   idle pixels probe/p0, probe/p1, ..., while a SUB on stats/probe/ notes when each probe's count
#   shows up in the feed. Latency = probe request sent -> feed message read, same process,
#   monotonic clock. The probe also splits it with the message's `time` field (the aggregator's
#   clock when it published): "pub" = receipt - time (building + publishing + delivering).
#
# The aggregator publishes what it counts at once, each key at most once per tick: a hit waits
# for the collector's batch delay (5 ms), the ingest hop and the feed. Each probe pixel is hit
# every PROBE_PIXELS x PROBE_MS (>= 400 ms) > the tick, so every probe is a key's first change
# in its tick: the target is p99 <= TARGET_MS (20). PROBE_PIXELS=1 probes a key hit more often
# than the tick instead: its hits wait for the key's turn, up to a tick.
# Prints each run on stderr and a markdown table on stdout. One run, noisy 2-core machine.
#
# Env: RATES ("20000"), TICK_MS (250), DURATION_S (40), PROBE_MS (50), PROBE_PIXELS (16),
#      TARGET_MS (20), DELAY_MS (5), CSV (a file to append one line per rate to:
#      rate,achieved,p50_ms,p90_ms,p99_ms,max_ms,cpu_pct), WORK (temp dir, removed afterwards).
# Needs: swift, wrk, curl, python3 with pyzmq.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
RATES=${RATES:-20000}
TICK_MS=${TICK_MS:-250}
DURATION_S=${DURATION_S:-40}
PROBE_MS=${PROBE_MS:-50}
PROBE_PIXELS=${PROBE_PIXELS:-16}
DELAY_MS=${DELAY_MS:-5}
TARGET_MS=${TARGET_MS:-20}
CSV=${CSV:-}
use_work_dir feed-latency

SERVE_PID=""; WRK_PID=""
cleanup() {
  stop_pid "$WRK_PID"; stop_pid "$SERVE_PID"
  if [ "$KEEP_WORK" = 0 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

need_pyzmq
if ! (cd "$ROOT" && swift build -c release --product pixelpulse) >"$WORK/build.log" 2>&1; then
  cat "$WORK/build.log" >&2; echo "feed_latency.sh: swift build failed" >&2; exit 1
fi
PIXELPULSE="$(cd "$ROOT" && swift build -c release --show-bin-path)/pixelpulse"

hits() { # collector hits_total, all kinds
  curl -fsS "http://127.0.0.1:$PORT/metrics" \
    | awk 'index($1, "pixelpulse_collector_hits_total{") == 1 {s += $2} END {printf "%.0f", s}'
}
HZ=$(getconf CLK_TCK)

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(swift --version 2>/dev/null | head -1)," \
  "pixelpulse $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
echo "# pixelpulse serve --tick-ms $TICK_MS; probe every $PROBE_MS ms over $PROBE_PIXELS pixels for $DURATION_S s;" \
  "background: wrk -t1 -s lib/steady_hits.lua (DELAY_MS=$DELAY_MS); target p99 <= $TARGET_MS ms"
echo
ROWS=()
for rate in $RATES; do
  echo "  background $rate hits/s:" >&2
  PORT=$(free_port)
  "$PIXELPULSE" serve --http "127.0.0.1:$PORT" --ingest 'tcp://127.0.0.1:*' --feed 'tcp://127.0.0.1:*' --snapshot 'tcp://127.0.0.1:*' \
    --tick-ms "$TICK_MS" >"$WORK/serve.out" 2>"$WORK/serve.err" &
  SERVE_PID=$!
  ready=0
  for _ in $(seq 100); do
    if grep -q '^feed: ' "$WORK/serve.out" && curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz"; then ready=1; break; fi
    sleep 0.1
  done
  [ "$ready" = 1 ] || { cat "$WORK/serve.err" >&2; echo "serve did not become ready" >&2; exit 1; }
  FEED=$(sed -n 's/^feed: //p' "$WORK/serve.out")

  conns=0
  if [ "$rate" -gt 0 ]; then
    # Calibrate: 3 s at the nominal connection count, then scale it to the rate seen.
    conns=$(awk -v r="$rate" -v d="$DELAY_MS" 'BEGIN { c = r * (d + 0.3) / 1000; print (c == int(c)) ? c : int(c) + 1 }')
    seen=$(DELAY_MS=$DELAY_MS wrk -t1 -c"$conns" -d3s -s "$HERE/lib/steady_hits.lua" "http://127.0.0.1:$PORT" \
      | awk '/^Requests\/sec/ {print $2}')
    conns=$(awk -v c="$conns" -v r="$rate" -v s="$seen" 'BEGIN { n = c * r / s; n = (n == int(n)) ? n : int(n) + 1; print (n > 2000) ? 2000 : n }')
    echo "    calibration: ${seen} hits/s -> $conns connections" >&2
    DELAY_MS=$DELAY_MS wrk -t1 -c"$conns" -d"$((DURATION_S + 4))s" -s "$HERE/lib/steady_hits.lua" \
      "http://127.0.0.1:$PORT" >"$WORK/wrk.out" 2>&1 &
    WRK_PID=$!
  fi
  sleep 2
  h0=$(hits); c0=$(cpu_ticks "$SERVE_PID"); t0=$(date +%s.%N)
  status=0
  probe=$(python3 "$HERE/lib/feed_probe.py" --http-port "$PORT" --feed "$FEED" --interval-ms "$PROBE_MS" --pixels "$PROBE_PIXELS" \
    --duration-s "$DURATION_S" --within-ms "$TARGET_MS" --samples "$WORK/latency-$rate.txt") || status=$?
  h1=$(hits); c1=$(cpu_ticks "$SERVE_PID"); t1=$(date +%s.%N)
  if [ -n "$WRK_PID" ]; then
    wait "$WRK_PID" || true; WRK_PID=""
    echo "    wrk: $(grep -E 'requests in|Requests/sec|Non-2xx|Socket errors' "$WORK/wrk.out" | tr -s ' ' | tr '\n' ' ')" >&2
  fi
  stop_pid "$SERVE_PID"; SERVE_PID=""
  echo "    probe: $probe (exit $status)" >&2
  probes=$(field probes <<<"$probe")
  achieved=$(awk -v a="$h0" -v b="$h1" -v p="$probes" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f", (b - a - p) / (e - s) }')
  cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f", (b - a) / hz / (e - s) * 100 }')
  echo "    background achieved (collector hits_total over the probe run, probes excluded): $achieved hits/s;" \
    "wrk connections $conns; serve CPU $cpu %" >&2
  p99=$(field p99_ms <<<"$probe")
  if [ -n "$CSV" ]; then
    echo "$rate,$achieved,$(field p50_ms <<<"$probe"),$(field p90_ms <<<"$probe"),$p99,$(field max_ms <<<"$probe"),$cpu" >>"$CSV"
  fi
  verdict=$(awk -v p="$p99" -v t="$TARGET_MS" -v s="$status" 'BEGIN { print (s == 0 && p <= t) ? "met" : "MISSED" }')
  ROWS+=("$(printf '| %11s | %9s | %9s | %5s | %7s | %6s | %6s | %6s | %6s | %7s | %7s | %7s | %7s | %-6s |' \
    "$rate" "$achieved" "$(field heartbeat_rate_med <<<"$probe")" "$cpu" "$probes/$(field seen <<<"$probe")" \
    "$(field p50_ms <<<"$probe")" "$(field p90_ms <<<"$probe")" "$p99" "$(field max_ms <<<"$probe")" \
    "$(field within_frac <<<"$probe")" "$(field publish_p99_ms <<<"$probe")" "$(field tick_gap_max_ms <<<"$probe")" \
    "$(field http_p99_ms <<<"$probe")" "$verdict")")
done

printf '| %11s | %9s | %9s | %5s | %7s | %6s | %6s | %6s | %6s | %7s | %7s | %7s | %7s | %-6s |\n' "load hits/s" \
  "achieved" "heartbeat" "CPU %" "probes" "p50 ms" "p90 ms" "p99 ms" "max ms" "<=$TARGET_MS" "pub p99" "max gap" \
  "HTTP p99" "p99 target"
printf '|%s|\n' "-------------|-----------|-----------|-------|---------|--------|--------|--------|--------|---------|---------|---------|----------|-----------"
printf '%s\n' "${ROWS[@]}"
echo
echo "tick $TICK_MS ms; latency = probe request sent -> its stats/probe/p*/ message read; target p99 <= $TARGET_MS ms." \
  "achieved = collector hits_total rate during the probe run (probes excluded); heartbeat = median aggregator ingestRate;" \
  "CPU % = serve process, 100 % = one core; <=$TARGET_MS = fraction of probes within the target;" \
  "pub p99 = feed message receipt - its \`time\` (the aggregator's clock when it published), ms; max gap = longest" \
  "interval between consecutive probe messages by \`time\`, ms; HTTP p99 = the probe's own request, ms."
