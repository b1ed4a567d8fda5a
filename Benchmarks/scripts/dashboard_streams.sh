#!/usr/bin/env bash
# dashboard_streams.sh - what N browser streams cost `pixelpulse dashboard`, and how far behind
# the ZeroMQ feed they run, with 1000 campaigns updating every tick.
#
#   Benchmarks/scripts/dashboard_streams.sh                        # STREAMS="1 10 50 100" + "everything" x 100
#   STREAMS="100" EVERYTHING=0 DURATION_S=20 Benchmarks/scripts/dashboard_streams.sh
#   OUT=/tmp/dash Benchmarks/scripts/dashboard_streams.sh          # keep the table, samples and PNG
#
# Target (the dashboard issue): 100 browser streams connected, the dashboard process < 1 core,
# every stream within one tick of the ZeroMQ feed.
#
# Builds `pixelpulse` (release, at the repo root) and starts, on free ports:
# * `pixelpulse aggregator` (tick TICK_MS) and `pixelpulse collector` feeding it;
# * load: wrk -t1 with lib/steady_hits.lua, ORDER=cycle over CAMPAIGNS x PIXELS keys
#   (campaign-1..N in turn, so at RATE hits/s every campaign gets RATE/CAMPAIGNS hits a second
#   and its rollup changes every tick), each connection waiting DELAY_MS between requests; a 3 s
#   calibration scales the connection count to RATE. The achieved rate is the collector's
#   hits_total over each window; the rollups per tick are counted on the feed (below). The
#   sweep starts PREWARM_S after the load: the feed carries more messages once the load is
#   older than the shortest window (1m), as sliding windows change keys without new hits
#   (~8 900 -> ~12 500 messages/s at the defaults), so every point sees the steady rate;
# * per sweep point, a fresh `pixelpulse dashboard --http 127.0.0.1:<free> --connect FEED
#   --snapshot SNAPSHOT`, ready once it prints `dashboard: ` and /healthz says "feed":"live";
# * lib/sse_streams.py (python3 + pyzmq, one asyncio process): N raw HTTP/1.1 SSE streams of
#   SELECTION (default the page's own: /v1/stream?rollups=true&prefix=alerts/), scanned with
#   bytes.find, no JSON parsing; a forked child SUBscribes to the whole feed. After every stream
#   has its `state` event and WARMUP_S, a DURATION_S window: arrival (monotonic clock) of every
#   `event: heartbeat` by id, and of the last id of every read, against the feed's arrival of
#   the same seq; CPU (utime+stime from /proc) of the dashboard, the aggregator and the collector.
# * for each N in EVERYTHING (default "10 100"; 0 = none), one more point: N streams of
#   /v1/stream (no selection: every pixel's stats as well), the heavy variant.
# A stream the dashboard ends as too slow (its response ends; slowClientsClosed counts it)
# reconnects after 3 s with Last-Event-ID, as an EventSource does.
#
# Prints each point on stderr, a markdown table on stdout, and writes to OUT (default WORK):
# dashboard_streams.md (the table), dashboard_streams.dat, dashboard_streams.png (gnuplot:
# dashboard CPU and p99 heartbeat lag vs streams), and lags-<label>.txt (every heartbeat lag).
# Everything started is stopped on exit. One run on a noisy 2-core machine: the load generator,
# the aggregator, the collector, the dashboard and the Python clients share the two cores.
#
# Env: STREAMS ("1 10 50 100"), EVERYTHING ("10 100"), SELECTION ("rollups=true&prefix=alerts/"),
#      RATE (5000 hits/s), CAMPAIGNS (1000), PIXELS (10), TICK_MS (250, the aggregator's default), DELAY_MS (5),
#      WARMUP_S (5), DURATION_S (25), PREWARM_S (65), OUT (= WORK), WORK (temp dir, removed afterwards unless
#      given or OUT is inside it).
# Needs: swift, wrk, curl, python3 with pyzmq, gnuplot (optional: no PNG without it).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
STREAMS=${STREAMS:-"1 10 50 100"}
EVERYTHING=${EVERYTHING:-"10 100"}
SELECTION=${SELECTION:-"rollups=true&prefix=alerts/"}
RATE=${RATE:-5000}
CAMPAIGNS=${CAMPAIGNS:-1000}
PIXELS=${PIXELS:-10}
TICK_MS=${TICK_MS:-250}
DELAY_MS=${DELAY_MS:-5}
WARMUP_S=${WARMUP_S:-5}
PREWARM_S=${PREWARM_S:-65}
DURATION_S=${DURATION_S:-25}
# shellcheck source=lib/dashboard_load.sh
source "$HERE/lib/dashboard_load.sh"
setup_dashboard_bench dashboard-streams
command -v wrk >/dev/null || { echo "dashboard_streams.sh: needs wrk" >&2; exit 1; }
build "$ROOT" pixelpulse
PIXELPULSE="$(cd "$ROOT" && swift build -c release --show-bin-path)/pixelpulse"

start_pipeline
echo "  load: calibration $WRK_CALIBRATION hits/s -> $WRK_CONNS connections (DELAY_MS=$DELAY_MS, ORDER=cycle," \
  "$CAMPAIGNS campaigns x $PIXELS pixels); $PREWARM_S s for the feed to reach its steady rate" >&2
sleep "$PREWARM_S"

POINTS=()
for n in $STREAMS; do POINTS+=("$n:page:$SELECTION"); done
for n in $EVERYTHING; do [ "$n" -gt 0 ] && POINTS+=("$n:everything:"); done

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(swift --version 2>/dev/null | head -1)," \
  "pixelpulse $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
echo "# aggregator --tick-ms $TICK_MS; load $RATE hits/s over $CAMPAIGNS campaigns x $PIXELS pixels" \
  "(wrk, ORDER=cycle); window $DURATION_S s after $WARMUP_S s; page = /v1/stream?$SELECTION"
echo
HEADER=$(printf '| %-10s | %7s | %9s | %11s | %8s | %7s | %7s | %7s | %7s | %7s | %7s | %9s | %8s | %5s | %6s | %7s | %7s | %7s | %-6s |' \
  "selection" "streams" "hits/s" "all rollups" "feed m/s" "dash" "hb p50" "hb p99" "hb max" ">1 tick" "missed" "events/s" "MB/s" \
  "slow" "closed" "wr p99" "aggr" "coll" "target")
RULE="|------------|---------|-----------|-------------|----------|---------|---------|---------|---------|---------|---------|-----------|----------|-------|--------|---------|---------|---------|--------|"
ROWS=()
: >"$OUT/dashboard_streams.dat"
for point in "${POINTS[@]}"; do
  n=${point%%:*}; rest=${point#*:}; label=${rest%%:*}; query=${rest#*:}
  path="/v1/stream${query:+?$query}"
  echo "  $label x $n: $path" >&2
  start_dashboard
  h0=$(hits); t0=$(date +%s.%N)
  status=0
  result=$(python3 "$HERE/lib/sse_streams.py" --port "$DASH_PORT" --path "$path" --streams "$n" --feed "$FEED" \
    --warmup-s "$WARMUP_S" --duration-s "$DURATION_S" --tick-ms "$TICK_MS" --campaigns "$CAMPAIGNS" \
    --cpu "dashboard=$DASH_PID" --cpu "aggregator=$AGG_PID" --cpu "collector=$COL_PID" \
    --samples "$OUT/lags-$label-$n.txt") || status=$?
  h1=$(hits); t1=$(date +%s.%N)
  health=$(curl -fsS "http://127.0.0.1:$DASH_PORT/healthz" || echo '{}')
  stop_dashboard
  echo "    $result (exit $status)" >&2
  echo "    healthz: $health" >&2
  [ "$status" = 0 ] || { echo "dashboard_streams.sh: sse_streams.py failed" >&2; exit 1; }
  achieved=$(awk -v a="$h0" -v b="$h1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f", (b - a) / (e - s) }')
  slow=$(json_field slowClientsClosed <<<"$health")
  pct() { awk -v v="$1" 'BEGIN { printf "%.0f %%", v * 100 }'; }
  dash=$(field cpu_dashboard <<<"$result"); p99=$(field hb_p99_ms <<<"$result"); hbmax=$(field hb_max_ms <<<"$result")
  verdict=$(awk -v c="$dash" -v m="$hbmax" -v t="$TICK_MS" -v x="$(field closed <<<"$result")" -v s="$slow" \
    -v mi="$(field hb_missed <<<"$result")" 'BEGIN { print (c < 1 && m <= t && x == 0 && s == 0 && mi == 0) ? "met" : "MISSED" }')
  ROWS+=("$(printf '| %-10s | %7s | %9s | %11s | %8s | %7s | %7s | %7s | %7s | %7s | %7s | %9s | %8s | %5s | %6s | %7s | %7s | %7s | %-6s |' \
    "$label" "$n" "$achieved" "$(awk -v f="$(field rollups_full_frac <<<"$result")" 'BEGIN { printf "%.0f %%", f * 100 }')" \
    "$(field feed_msgs_per_s <<<"$result")" \
    "$(pct "$dash")" "$(field hb_p50_ms <<<"$result")" "$p99" "$hbmax" "$(field over_tick <<<"$result")" \
    "$(field hb_missed <<<"$result")" "$(field events_per_stream_s_med <<<"$result")" \
    "$(awk -v b="$(field bytes_per_s <<<"$result")" 'BEGIN { printf "%.1f", b / 1e6 }')" "$slow" \
    "$(field closed <<<"$result")" "$(field write_p99_ms <<<"$result")" \
    "$(pct "$(field cpu_aggregator <<<"$result")")" "$(pct "$(field cpu_collector <<<"$result")")" "$verdict")")
  echo "$label $n $dash $p99 $hbmax $(field cpu_aggregator <<<"$result")" >>"$OUT/dashboard_streams.dat"
done

{
  echo "$HEADER"; echo "$RULE"; printf '%s\n' "${ROWS[@]}"; echo
  echo "hits/s = collector hits_total over the point; rollups = the ticks in which all $CAMPAIGNS campaign" \
    "rollups changed (counted on the feed; the minimum per tick is on stderr); feed m/s = messages/s on the feed; dash = dashboard CPU (100 % = one core) over the window;" \
    "hb = heartbeat lag, SSE arrival - ZeroMQ arrival of the same seq, ms, over all streams; >1 tick = heartbeat" \
    "samples later than $TICK_MS ms; missed = heartbeats the feed had that an open stream never got; events/s =" \
    "median per stream; MB/s = all streams; slow = slowClientsClosed (/healthz); closed = streams the dashboard" \
    "ended (as too slow) before the window's end (each reconnects after 3 s, as an EventSource); wr p99 = p99 lag of the last event of each read; aggr, coll = the aggregator's" \
    "and the collector's CPU in the same window; target: dash < 100 %, hb max <= 1 tick, nothing missed or closed."
} | tee "$OUT/dashboard_streams.md"

if command -v gnuplot >/dev/null; then
  EXTRA=""
  if grep -q '^everything ' "$OUT/dashboard_streams.dat"; then
    EXTRA="\"< grep '^everything ' $OUT/dashboard_streams.dat\" using 2:(\$3*100) with points pt 9 ps 2 title \"CPU, everything\", \"\" using 2:4 axes x1y2 with points pt 11 ps 2 title \"p99 lag, everything\","
  fi
  gnuplot <<PLOT 2>"$WORK/gnuplot.err" || cat "$WORK/gnuplot.err" >&2
set terminal pngcairo size 900,540 font ",10"
set output "$OUT/dashboard_streams.png"
set title "pixelpulse dashboard: $CAMPAIGNS campaigns updating every ${TICK_MS} ms tick, $RATE hits/s"
set xlabel "SSE streams"
set ylabel "dashboard CPU (% of one core)"
set y2label "heartbeat lag p99 (ms, log scale)"
set ytics nomirror
set y2tics
set logscale y2
set yrange [0:*]
set y2range [10:*]
set key top left
set grid
plot "< grep '^page ' $OUT/dashboard_streams.dat" using 2:(\$3*100) with linespoints lw 2 pt 7 title "CPU, page selection", \
     "" using 2:4 axes x1y2 with linespoints lw 2 pt 5 dt 2 title "p99 lag, page selection", \
     $EXTRA \
     100 with lines lc rgb "red" dt 3 title "1 core", \
     $TICK_MS axes x1y2 with lines lc rgb "orange" dt 3 title "1 tick"
PLOT
  [ -s "$OUT/dashboard_streams.png" ] && echo "PNG: $OUT/dashboard_streams.png" >&2
fi
