#!/usr/bin/env bash
# kill9_exact.sh - exactness at scale: over a million pixel hits through a real collector,
# the aggregator killed with SIGKILL in the middle and restarted on the same data directory;
# the aggregator's totals must equal the hits the collector answered, to the event.
#
#   Benchmarks/scripts/kill9_exact.sh                 # 30 s of wrk, kill at 12 s, 3 s down
#   DURATION_S=60 KILL_AT_S=20 DOWN_S=5 Benchmarks/scripts/kill9_exact.sh
#
# Builds `pixelpulse` (release). Starts `pixelpulse aggregator --data-dir --checkpoint-seconds
# CHECKPOINT_S` (so the restart restores a checkpoint and replays the log after it; ingest, feed and
# snapshot on ipc:// endpoints in the work folder, so the restarted one binds the same ones)
# and `pixelpulse collector` sending to it; drives the collector with
# `wrk -t1 -c64 -s lib/steady_hits.lua` (DELAY_MS=0: flat out; 100 campaigns x 10 pixels;
# views, clicks and conversions). At KILL_AT_S the aggregator gets SIGKILL; DOWN_S later a new
# one starts on the same data directory and replays its log. When wrk ends, waits until the
# collector holds nothing unacknowledged, then compares:
#   answered = the collector's pixelpulse_collector_hits_total (all kinds; it never restarts)
#   counted  = the sum over campaign rollups of views + clicks + conversions in the 1h window,
#              read from the aggregator's snapshot socket (python3 + pyzmq)
# and prints both, the batches sent again and answered `duplicate`, and EXACT or MISMATCH
# (exit 1).
# Env: DURATION_S (30), KILL_AT_S (12), DOWN_S (3), CHECKPOINT_S (5), WORK (temp dir, removed afterwards).
# Needs: swift, libzmq3-dev, wrk, curl, python3 with pyzmq.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION_S=${DURATION_S:-30}
KILL_AT_S=${KILL_AT_S:-12}
DOWN_S=${DOWN_S:-3}
CHECKPOINT_S=${CHECKPOINT_S:-5}
use_work_dir kill9-exact

AGG_PID=""; COL_PID=""; WRK_PID=""
cleanup() {
  stop_pid "$WRK_PID"; stop_pid "$COL_PID"; stop_pid "$AGG_PID"
  if [ "$KEEP_WORK" = 0 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build "$ROOT" pixelpulse
PIXELPULSE="$ROOT/.build/release/pixelpulse"
INGEST="ipc://$WORK/ingest"; FEED="ipc://$WORK/feed"; SNAPSHOT="ipc://$WORK/snapshot"

start() { # -> AGG_PID: an aggregator on the work folder's endpoints and data directory
  "$PIXELPULSE" aggregator --ingest "$INGEST" --feed "$FEED" --snapshot "$SNAPSHOT" --data-dir "$WORK/data" \
    --checkpoint-seconds "$CHECKPOINT_S" \
    >>"$WORK/aggregator.out" 2>>"$WORK/aggregator.err" &
  AGG_PID=$!
  until grep -q '^snapshot: ' "$WORK/aggregator.out" 2>/dev/null && [ "$(grep -c '^snapshot: ' "$WORK/aggregator.out")" -ge "$1" ]; do
    kill -0 "$AGG_PID" 2>/dev/null || { cat "$WORK/aggregator.err" >&2; exit 1; }
    sleep 0.1
  done
}

metric() { # name [label filter]: the sum of a collector metric's samples
  curl -s "$HTTP/metrics" | awk -v name="$1" -v filter="${2:-}" \
    '($1 == name || index($1, name "{") == 1) && index($1, filter) { sum += $2 } END { printf "%d\n", sum }'
}

start 1
PORT=$(free_port)
"$PIXELPULSE" collector --ingest "$INGEST" --http "127.0.0.1:$PORT" --collector-id kill9 \
  >"$WORK/collector.out" 2>"$WORK/collector.err" &
COL_PID=$!
HTTP="http://127.0.0.1:$PORT"
until curl -s -o /dev/null "$HTTP/healthz"; do sleep 0.1; done

DELAY_MS=0 CAMPAIGNS=100 PIXELS=10 wrk -t1 -c64 -d"${DURATION_S}s" -s "$HERE/lib/steady_hits.lua" "$HTTP" \
  >"$WORK/wrk.out" 2>&1 &
WRK_PID=$!
sleep "$KILL_AT_S"
kill -KILL "$AGG_PID"; wait "$AGG_PID" 2>/dev/null || true
echo "aggregator killed at ${KILL_AT_S}s with $(metric pixelpulse_collector_hits_total) hits answered so far" >&2
sleep "$DOWN_S"
start 2
grep '^data: ' "$WORK/aggregator.out" | tail -1 >&2
wait "$WRK_PID"; WRK_PID=""
grep -E "requests in|Requests/sec" "$WORK/wrk.out" >&2

for _ in $(seq 600); do
  [ "$(metric pixelpulse_collector_unacked_batches)" = 0 ] && [ "$(metric pixelpulse_collector_queued_batches)" = 0 ] && break
  sleep 0.1
done
answered=$(metric pixelpulse_collector_hits_total)
counted=$(python3 "$HERE/lib/snapshot_total.py" "$SNAPSHOT")
echo "answered by the collector: $answered hits; counted by the aggregator: $counted events"
echo "batches sent again: $(metric pixelpulse_collector_batches_resent_total);" \
  "answered duplicate: $(metric pixelpulse_collector_batch_acks_total 'status="duplicate"');" \
  "dropped: $(metric pixelpulse_collector_dropped_total)"
if [ "$answered" = "$counted" ] && [ "$answered" -gt 0 ]; then echo EXACT; else echo MISMATCH; exit 1; fi
