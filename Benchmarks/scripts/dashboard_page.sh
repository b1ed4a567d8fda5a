#!/usr/bin/env bash
# dashboard_page.sh - how busy the dashboard page keeps a browser's main thread while every
# campaign updates every tick, measured in headless Chromium.
#
#   Benchmarks/scripts/dashboard_page.sh                     # CAMPAIGNS="10 100 1000"
#   CAMPAIGNS=1000 DURATION_S=30 OUT=/tmp/page Benchmarks/scripts/dashboard_page.sh
#
# Target (the dashboard issue): 1 000 campaigns updating every tick, the page's main thread
# busy < 20 %, no frame longer than 50 ms.
#
# Builds `pixelpulse` (release, at the repo root). For each campaign count N in CAMPAIGNS, a
# fresh pipeline on free ports (so no campaign of the previous point is left in the state):
# `pixelpulse aggregator --tick-ms TICK_MS`, `pixelpulse collector`, wrk -t1 with
# lib/steady_hits.lua ORDER=cycle at RATE hits/s over N campaigns x PIXELS pixels (each campaign
# in turn: at RATE >= N hits/s every rollup changes every tick), and a separate
# `pixelpulse dashboard --http 127.0.0.1:<free> --connect FEED --snapshot SNAPSHOT`. Then:
# * lib/sse_streams.py with one stream for CHECK_S s: rollups per tick on the feed (min/median),
#   to show that every campaign did update every tick;
# * lib/page_metrics.py (python3 selenium, /usr/bin/chromium + /usr/bin/chromedriver, headless
#   --headless=new --no-sandbox --window-size=1400,900) opens the dashboard's page at `/`, waits
#   until document.body.dataset.feed == "live" and `#campaigns tbody tr.campaign` has N rows,
#   waits SETTLE_S, then over DURATION_S: CDP Performance.getMetrics deltas over wall time
#   (TaskDuration = the main thread busy; Script, Layout, RecalcStyle), long animation frames
#   from a PerformanceObserver ('long-animation-frame', else 'longtask') - count over 50 ms and
#   the longest -, the CPU of Chromium (every process under chromedriver) and of the dashboard
#   server; with RAF=1 also the longest gap between requestAnimationFrame callbacks (off by
#   default: a rAF loop makes Chromium draw 60 frames a second, ~2 % of the main thread itself).
# Prints each point on stderr, a markdown table on stdout, and writes to OUT (default WORK):
# dashboard_page.md, dashboard_page.dat, dashboard_page.png (gnuplot: main thread busy and the
# longest frame vs campaigns), page-N.png (a screenshot at the end of each point), frames-N.json
# (every long animation frame of the window: start, duration, blocking, when rendering and
# style/layout started, and the scripts that ran in it, with their durations).
# Everything started is stopped on exit. One run on a noisy 2-core machine: the load, the
# pipeline, the dashboard and Chromium share the two cores.
#
# Env: CAMPAIGNS ("10 100 1000"), RATE (5000 hits/s), PIXELS (10), TICK_MS (250, the aggregator's default), DELAY_MS (5),
#      SETTLE_S (3), DURATION_S (20), CHECK_S (4), READY_TIMEOUT_S (120), RAF (0), OUT (= WORK),
#      WORK (temp dir; kept when it holds the outputs).
# Needs: swift, wrk, curl, python3 with pyzmq and selenium, chromium + chromedriver, gnuplot
# (optional).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CAMPAIGN_COUNTS=${CAMPAIGNS:-"10 100 1000"}
RATE=${RATE:-5000}
PIXELS=${PIXELS:-10}
TICK_MS=${TICK_MS:-250}
DELAY_MS=${DELAY_MS:-5}
SETTLE_S=${SETTLE_S:-3}
DURATION_S=${DURATION_S:-20}
CHECK_S=${CHECK_S:-4}
READY_TIMEOUT_S=${READY_TIMEOUT_S:-120}
RAF=${RAF:-0}
RAF_FLAG=(); [ "$RAF" = 1 ] && RAF_FLAG=(--raf)
# shellcheck source=lib/dashboard_load.sh
source "$HERE/lib/dashboard_load.sh"
setup_dashboard_bench dashboard-page
python3 -c 'import selenium' 2>/dev/null || { echo "dashboard_page.sh: needs python3 with selenium" >&2; exit 1; }
for tool in wrk /usr/bin/chromium /usr/bin/chromedriver; do
  command -v "$tool" >/dev/null || { echo "dashboard_page.sh: needs $tool" >&2; exit 1; }
done
build "$ROOT" pixelpulse
PIXELPULSE="$(cd "$ROOT" && swift build -c release --show-bin-path)/pixelpulse"

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(/usr/bin/chromium --version 2>/dev/null | head -1)," \
  "pixelpulse $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
echo "# aggregator --tick-ms $TICK_MS; load $RATE hits/s over N campaigns x $PIXELS pixels (wrk, ORDER=cycle);" \
  "headless Chromium at / for $DURATION_S s after $SETTLE_S s"
echo
HEADER=$(printf '| %9s | %7s | %7s | %6s | %7s | %8s | %6s | %6s | %6s | %6s | %9s | %9s | %8s | %5s | %8s | %6s | %6s | %-6s |' \
  "campaigns" "hits/s" "rollups" "rows" "ready s" "main thr" "script" "layout" "style" "frames" ">50 ms" \
  "longest" "blocking" "fps" "max gap" "chrome" "dash" "target")
RULE="|-----------|---------|---------|--------|---------|----------|--------|--------|--------|--------|-----------|-----------|----------|-------|----------|--------|--------|--------|"
ROWS=()
: >"$OUT/dashboard_page.dat"
for n in $CAMPAIGN_COUNTS; do
  echo "  $n campaigns:" >&2
  CAMPAIGNS=$n start_pipeline
  echo "    load: calibration $WRK_CALIBRATION hits/s -> $WRK_CONNS connections" >&2
  start_dashboard
  check=$(python3 "$HERE/lib/sse_streams.py" --port "$DASH_PORT" --path "/v1/stream?rollups=true&prefix=alerts/" \
    --streams 1 --feed "$FEED" --warmup-s 1 --duration-s "$CHECK_S" --tick-ms "$TICK_MS") \
    || { echo "dashboard_page.sh: the feed check failed" >&2; exit 1; }
  rollups="$(field rollups_per_tick_min <<<"$check")/$(field rollups_per_tick_med <<<"$check")"
  echo "    feed: rollups per tick min/median $rollups" >&2

  h0=$(hits); t0=$(date +%s.%N)
  status=0
  result=$(python3 "$HERE/lib/page_metrics.py" --url "http://127.0.0.1:$DASH_PORT/" --campaigns "$n" \
    --duration-s "$DURATION_S" --settle-s "$SETTLE_S" --ready-timeout-s "$READY_TIMEOUT_S" \
    --cpu "dashboard=$DASH_PID" --cpu "aggregator=$AGG_PID" --screenshot "$OUT/page-$n.png" \
    --frames "$OUT/frames-$n.json" "${RAF_FLAG[@]}") || status=$?
  h1=$(hits); t1=$(date +%s.%N)
  stop_dashboard; stop_pipeline
  echo "    $result (exit $status)" >&2
  [ "$status" = 0 ] || { echo "dashboard_page.sh: page_metrics.py failed (exit $status)" >&2; exit 1; }
  achieved=$(awk -v a="$h0" -v b="$h1" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.0f", (b - a) / (e - s) }')
  pct() { awk -v v="$1" 'BEGIN { printf "%.1f %%", v * 100 }'; }
  task=$(field task <<<"$result"); over=$(field lf_over <<<"$result"); longest=$(field lf_max_ms <<<"$result")
  verdict=$(awk -v t="$task" -v o="$over" 'BEGIN { print (t < 0.2 && o == 0) ? "met" : "MISSED" }')
  ROWS+=("$(printf '| %9s | %7s | %7s | %6s | %7s | %8s | %6s | %6s | %6s | %6s | %9s | %9s | %8s | %5s | %8s | %6s | %6s | %-6s |' \
    "$n" "$achieved" "$rollups" "$(field rows <<<"$result")" "$(field ready_s <<<"$result")" "$(pct "$task")" \
    "$(pct "$(field script <<<"$result")")" "$(pct "$(field layout <<<"$result")")" "$(pct "$(field style <<<"$result")")" \
    "$(field lf_count <<<"$result")" "$over" "$longest" "$(field lf_max_blocking_ms <<<"$result")" \
    "$(field raf_fps <<<"$result")" "$(field raf_max_gap_ms <<<"$result")" \
    "$(awk -v v="$(field chromium_cpu <<<"$result")" 'BEGIN { printf "%.0f %%", v * 100 }')" \
    "$(awk -v v="$(field cpu_dashboard <<<"$result")" 'BEGIN { printf "%.0f %%", v * 100 }')" "$verdict")")
  echo "$n $task $longest $(field script <<<"$result") $(field raf_max_gap_ms <<<"$result")" >>"$OUT/dashboard_page.dat"
done

{
  echo "$HEADER"; echo "$RULE"; printf '%s\n' "${ROWS[@]}"; echo
  echo "hits/s = collector hits_total during the page run; rollups = campaign rollups per tick on the feed," \
    "min/median (all N = every campaign updating every tick); rows = campaign rows on the page at the end;" \
    "ready s = page opened -> live with N rows; main thr = CDP TaskDuration / wall time (the renderer's main" \
    "thread busy), script/layout/style = ScriptDuration, LayoutDuration, RecalcStyleDuration likewise;" \
    "frames = long animation frames (> 50 ms by definition of the entry type) starting in the window; >50 ms" \
    "= those longer than 50 ms; longest, blocking = the longest one's duration and blockingDuration, ms; fps," \
    "max gap = requestAnimationFrame callbacks per second and the longest gap between two, ms (RAF=1 only); chrome = CPU of" \
    "every Chromium process (100 % = one core); dash = the dashboard server's CPU; target: main thr < 20 % and" \
    "no frame > 50 ms."
} | tee "$OUT/dashboard_page.md"

if command -v gnuplot >/dev/null; then
  gnuplot <<PLOT 2>"$WORK/gnuplot.err" || cat "$WORK/gnuplot.err" >&2
set terminal pngcairo size 900,540 font ",10"
set output "$OUT/dashboard_page.png"
set title "dashboard page in headless Chromium: N campaigns updating every ${TICK_MS} ms tick"
set xlabel "campaigns"
set logscale x
set ylabel "main thread busy (%)"
set y2label "longest animation frame (ms)"
set ytics nomirror
set y2tics
set yrange [0:*]
set y2range [0:*]
set key top left
set grid
plot "$OUT/dashboard_page.dat" using 1:(\$2*100) with linespoints lw 2 pt 7 title "main thread busy (TaskDuration)", \
     "" using 1:(\$4*100) with linespoints lw 1 pt 6 title "script (ScriptDuration)", \
     "" using 1:3 axes x1y2 with linespoints lw 2 pt 5 dt 2 title "longest frame", \
     20 with lines lc rgb "red" dt 3 title "20 %", \
     50 axes x1y2 with lines lc rgb "orange" dt 3 title "50 ms"
PLOT
  [ -s "$OUT/dashboard_page.png" ] && echo "PNG: $OUT/dashboard_page.png" >&2
fi
