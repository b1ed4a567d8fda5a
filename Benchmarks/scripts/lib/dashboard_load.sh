# Helpers of dashboard_streams.sh and dashboard_page.sh: the pipeline under load and a separate
# dashboard. Source it after common.sh; it defines functions only. They use the caller's WORK,
# PIXELPULSE, HERE (the scripts folder), TICK_MS, RATE, CAMPAIGNS, PIXELS and DELAY_MS.

AGG_PID=""; COL_PID=""; WRK_PID=""; DASH_PID=""

wait_for_line() { # file regex pid: until a line matches (20 s at most) while the process lives
  for _ in $(seq 200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

hits() { # the collector's hits_total, all kinds
  curl -fsS "http://127.0.0.1:$HTTP_PORT/metrics" \
    | awk 'index($1, "pixelpulse_collector_hits_total{") == 1 {s += $2} END {printf "%.0f", s}'
}

# -> AGG_PID, INGEST, FEED, SNAPSHOT, COL_PID, HTTP_PORT, WRK_PID, WRK_CONNS, WRK_CALIBRATION:
# `pixelpulse aggregator --tick-ms TICK_MS` and a `pixelpulse collector` on free ports, and
# wrk -t1 with lib/steady_hits.lua ORDER=cycle at about RATE hits/s over CAMPAIGNS x PIXELS
# keys (a 3 s calibration run scales the connection count), running until stop_pipeline.
start_pipeline() {
  local ready seen
  AGGREGATOR_ARGS="--tick-ms $TICK_MS" start_aggregator
  SNAPSHOT=$(sed -n 's/^snapshot: //p' "$WORK/aggregator.out")
  [ -n "$SNAPSHOT" ] || { echo "the aggregator did not announce its snapshot endpoint" >&2; return 1; }
  HTTP_PORT=$(free_port)
  "$PIXELPULSE" collector --ingest "$INGEST" --http "127.0.0.1:$HTTP_PORT" >"$WORK/collector.out" 2>"$WORK/collector.err" &
  COL_PID=$!
  ready=0
  for _ in $(seq 100); do
    if curl -fs -o /dev/null "http://127.0.0.1:$HTTP_PORT/readyz"; then ready=1; break; fi
    kill -0 "$COL_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ "$ready" = 1 ] || { cat "$WORK/collector.err" >&2; echo "the collector did not become ready" >&2; return 1; }

  WRK_CONNS=$(awk -v r="$RATE" -v d="$DELAY_MS" 'BEGIN { c = r * (d + 0.3) / 1000; print (c == int(c)) ? c : int(c) + 1 }')
  seen=$(ORDER=cycle CAMPAIGNS=$CAMPAIGNS PIXELS=$PIXELS DELAY_MS=$DELAY_MS wrk -t1 -c"$WRK_CONNS" -d3s \
    -s "$HERE/lib/steady_hits.lua" "http://127.0.0.1:$HTTP_PORT" | awk '/^Requests\/sec/ {print $2}')
  [ -n "$seen" ] || { echo "the wrk calibration run failed" >&2; return 1; }
  WRK_CALIBRATION=$seen
  WRK_CONNS=$(awk -v c="$WRK_CONNS" -v r="$RATE" -v s="$seen" 'BEGIN { n = c * r / s; n = (n == int(n)) ? n : int(n) + 1; print (n > 2000) ? 2000 : n }')
  ORDER=cycle CAMPAIGNS=$CAMPAIGNS PIXELS=$PIXELS DELAY_MS=$DELAY_MS wrk -t1 -c"$WRK_CONNS" -d3600s \
    -s "$HERE/lib/steady_hits.lua" "http://127.0.0.1:$HTTP_PORT" >"$WORK/wrk.out" 2>&1 &
  WRK_PID=$!
}

stop_pipeline() {
  stop_pid "$WRK_PID"; WRK_PID=""
  stop_pid "$COL_PID"; COL_PID=""
  stop_pid "$AGG_PID"; AGG_PID=""
}

# -> DASH_PID, DASH_PORT: `pixelpulse dashboard` on a free port following FEED, once it has
# printed `dashboard: ` and its /healthz says the feed is live.
start_dashboard() {
  local live
  DASH_PORT=$(free_port)
  "$PIXELPULSE" dashboard --http "127.0.0.1:$DASH_PORT" --connect "$FEED" --snapshot "$SNAPSHOT" \
    >"$WORK/dashboard.out" 2>"$WORK/dashboard.err" &
  DASH_PID=$!
  wait_for_line "$WORK/dashboard.out" '^dashboard: ' "$DASH_PID" \
    || { cat "$WORK/dashboard.err" >&2; echo "the dashboard did not start" >&2; return 1; }
  live=0
  for _ in $(seq 100); do
    if curl -fsS "http://127.0.0.1:$DASH_PORT/healthz" 2>/dev/null | grep -q '"feed":"live"'; then live=1; break; fi
    kill -0 "$DASH_PID" 2>/dev/null || break
    sleep 0.1
  done
  [ "$live" = 1 ] || { cat "$WORK/dashboard.err" >&2; echo "the dashboard's feed did not go live" >&2; return 1; }
}

stop_dashboard() { stop_pid "$DASH_PID"; DASH_PID=""; }

json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], "?"))' "$1"; }

# The scratch folder (`name`), OUT (given, or the scratch folder, then kept), and everything
# started stopped on exit: the set-up both scripts share, after their env defaults.
setup_dashboard_bench() { # name
  use_work_dir "$1"
  if [ -n "${OUT:-}" ]; then mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd); else OUT=$WORK; KEEP_WORK=1; fi
  trap 'stop_dashboard; stop_pipeline; if [ "$KEEP_WORK" = 0 ]; then rm -rf "$WORK"; fi' EXIT
  trap 'exit 130' INT TERM
  need_pyzmq
}
