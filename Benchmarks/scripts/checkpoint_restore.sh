#!/usr/bin/env bash
# checkpoint_restore.sh - what checkpoints buy at start: the same aggregator state restored by
# replaying the ingest log, then from a checkpoint; and what a checkpoint costs to write.
#
#   Benchmarks/scripts/checkpoint_restore.sh                # 20 s of load over 100 000 keys
#   DURATION_S=60 Benchmarks/scripts/checkpoint_restore.sh
#
# Builds `pixelpulse` and `ingest-load` (release). Starts `pixelpulse aggregator --data-dir DIR
# --checkpoint-seconds 3600` (no checkpoint during the run) and drives it with `ingest-load`
# for DURATION_S seconds (256-event batches over 1000 campaigns x 100 pixels). Then:
#   1. SIGKILL, start again on DIR: the start replays the whole log (no checkpoint yet);
#   2. SIGTERM that one (it writes a checkpoint on the way out), start again: the start
#      restores the checkpoint and replays nothing.
# Prints the log size, the checkpoint size and how long it took to write (from the log line
# `Wrote a checkpoint`), each start's time as the aggregator reports it (`data: ... in T`), and
# replay time / restore time. Both starts must report the same events counted in the 1h
# windows (read with pyzmq from the snapshot socket), or the script fails.
# Env: DURATION_S (20), WORK (temp dir, removed afterwards).
# Needs: swift, libzmq3-dev, python3 with pyzmq.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
DURATION_S=${DURATION_S:-20}
use_work_dir checkpoint-restore

stop_aggregator_on_exit

build_aggregator_and_load
need_pyzmq
DATA="$WORK/data"
AGGREGATOR_ARGS="--data-dir $DATA --checkpoint-seconds 3600"

# The events in every campaign's 1h window, summed, from the snapshot socket.
total() { python3 "$HERE/lib/snapshot_total.py" "$(sed -n 's/^snapshot: //p' "$WORK/aggregator.out")"; }
start_time() { # seconds, from the start-up line "data: ... in 1s 234ms)"
  sed -n 's/^data: .* in \(.*\))$/\1/p' "$WORK/aggregator.out" |
    awk '{ t = 0; for (i = 1; i <= NF; i++) t += ($i ~ /ms$/) ? $i / 1000 : $i + 0; print t }'
}

start_aggregator
"$LOAD" --batch 256 --endpoint "$INGEST" --duration-s "$DURATION_S" --collector-id load >"$WORK/load.out" 2>&1
echo "load: $(tail -1 "$WORK/load.out")" >&2
stop_pid "$AGG_PID" KILL 2>/dev/null
LOG_BYTES=$(cat "$DATA"/*.wal | wc -c)

start_aggregator
REPLAY_S=$(start_time)
REPLAY_LINE=$(grep '^data: ' "$WORK/aggregator.out")
REPLAY_TOTAL=$(total)
stop_pid "$AGG_PID" TERM
WRITE_LINE=$(grep 'Wrote a checkpoint' "$WORK/aggregator.err" | tail -1)
CHECKPOINT_BYTES=$(echo "$WRITE_LINE" | field checkpoint.bytes)
WRITE_TIME=$(echo "$WRITE_LINE" | field checkpoint.duration | awk '{ printf "%.0f ms", $1 * 1000 }')

start_aggregator
RESTORE_S=$(start_time)
RESTORE_LINE=$(grep '^data: ' "$WORK/aggregator.out")
RESTORE_TOTAL=$(total)
stop_pid "$AGG_PID" TERM

echo "replay start:  $REPLAY_LINE" >&2
echo "restore start: $RESTORE_LINE" >&2
echo "| what | figure |"
echo "|---|---|"
echo "| ingest log after ${DURATION_S} s of load | $LOG_BYTES bytes |"
echo "| events in the 1h windows (both starts) | $REPLAY_TOTAL / $RESTORE_TOTAL |"
echo "| checkpoint written at shutdown | $CHECKPOINT_BYTES bytes in $WRITE_TIME |"
echo "| start by replaying the log | ${REPLAY_S} s |"
echo "| start from the checkpoint | ${RESTORE_S} s |"
awk -v a="$REPLAY_S" -v b="$RESTORE_S" 'BEGIN { if (b > 0) printf "| replay / restore | %.1fx |\n", a / b }'
[ "$REPLAY_TOTAL" = "$RESTORE_TOTAL" ] || { echo "MISMATCH: $REPLAY_TOTAL vs $RESTORE_TOTAL" >&2; exit 1; }
