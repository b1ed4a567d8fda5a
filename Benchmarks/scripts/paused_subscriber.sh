#!/usr/bin/env bash
# paused_subscriber.sh - does a subscriber that stops reading slow ingestion down?
#
#   Benchmarks/scripts/paused_subscriber.sh                  # ROUNDS=2, 8 s per run
#   ROUNDS=4 DURATION_S=15 Benchmarks/scripts/paused_subscriber.sh
#
# Builds `pixelpulse` and `ingest-load` in release mode (as aggregator_throughput.sh does),
# then ROUNDS times, the order flipped every round, two runs of a fresh
# `pixelpulse aggregator --ingest tcp://127.0.0.1:<free port> --feed tcp://127.0.0.1:*`:
#
# * none:   no feed subscriber at all;
# * paused: one python3/pyzmq SUB of everything (the empty prefix) that receives a single
#           message (proof that its subscription reached the publisher) and then never reads
#           again, so the aggregator's queue for it fills to the feed high-water mark and
#           libzmq drops the rest.
#
# Each run warms the aggregator with 200 000 events (all 100 000 keys active, so every tick
# and every window slide publishes a lot), waits a second, then measures `ingest-load`
# (a DEALER sending 256-event batches over 1000 campaigns x 100 pixels, at most 64
# unacknowledged) for DURATION_S seconds: events/s from first send to last ack. Also
# printed: the `published` count of the last heartbeat of the paused run (messages the PUB
# socket accepted; the paused subscriber got one of them).
#
# Prints every run on stderr and a markdown table on stdout: medians and paused/none
# (target: >= 0.90). Runs vary by about +-30 % on a 2-core machine: run nothing else meanwhile.
#
# Env: ROUNDS (2), DURATION_S (8), WINDOW (64), ORDER (scattered | sequential),
#      WORK (temp dir, removed afterwards).
# Needs: swift, python3 with pyzmq.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
ROUNDS=${ROUNDS:-2}
DURATION_S=${DURATION_S:-8}
WINDOW=${WINDOW:-64}
ORDER=${ORDER:-scattered}
use_work_dir paused-subscriber

AGG_PID=""; SUB_PID=""; BEAT_PID=""
cleanup() {
  stop_pid "$SUB_PID"; stop_pid "$BEAT_PID"; stop_pid "$AGG_PID"
  if [ "$KEEP_WORK" = 0 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM


# --- build ---------------------------------------------------------------------------------
build_aggregator_and_load
need_pyzmq

# The paused subscriber: one message, then never reads again.
cat >"$WORK/paused.py" <<'EOF'
import sys, time, zmq
sub = zmq.Context().socket(zmq.SUB)
sub.connect(sys.argv[1])
sub.subscribe(b"")
sub.recv_multipart()
print("ready", flush=True)
time.sleep(3600)
EOF
# Keeps the last heartbeat's `published` (a subscriber of heartbeat/ only, always reading).
cat >"$WORK/beats.py" <<'EOF'
import json, sys, zmq
sub = zmq.Context().socket(zmq.SUB)
sub.connect(sys.argv[1])
sub.subscribe(b"heartbeat/")
while True:
    beat = json.loads(sub.recv_multipart()[1])
    with open(sys.argv[2], "w") as out:
        out.write(f"{beat.get('published', '?')} {beat['seq']}\n")
EOF

LOAD_ARGS=(--window "$WINDOW" --order "$ORDER" --batch 256)

# One measured run; $1 = none | paused. Sets EPS (and PUBLISHED for paused).
run() {
  start_aggregator || return 1
  PUBLISHED=""
  if [ "$1" = paused ]; then
    python3 "$WORK/paused.py" "$FEED" >"$WORK/paused.out" 2>&1 &
    SUB_PID=$!
    python3 "$WORK/beats.py" "$FEED" "$WORK/beat.txt" &
    BEAT_PID=$!
  fi
  local warm out
  if ! warm=$("$LOAD" "${LOAD_ARGS[@]}" --endpoint "$INGEST" --events 200000 --collector-id warm 2>&1); then
    echo "    warm-up failed: $warm" >&2; return 1
  fi
  sleep 1
  if [ "$1" = paused ]; then
    grep -q ready "$WORK/paused.out" || { echo "    the paused subscriber got no message" >&2; return 1; }
  fi
  if ! out=$("$LOAD" "${LOAD_ARGS[@]}" --duration-s "$DURATION_S" --endpoint "$INGEST" --collector-id load 2>&1); then
    echo "    ingest-load failed: $out" >&2; return 1
  fi
  if [ "$1" = paused ]; then
    sleep 1.2  # one more heartbeat
    PUBLISHED=$(cut -d' ' -f1 "$WORK/beat.txt" 2>/dev/null || echo '?')
    stop_pid "$SUB_PID"; SUB_PID=""; stop_pid "$BEAT_PID"; BEAT_PID=""
  fi
  stop_pid "$AGG_PID"; AGG_PID=""
  echo "    $1: $out${PUBLISHED:+ (last heartbeat: published=$PUBLISHED)}" >&2
  EPS=$(printf '%s\n' "$out" | field events_per_s)
}

# --- run -----------------------------------------------------------------------------------
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(swift --version 2>/dev/null | head -1)," \
  "pixelpulse $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
echo "# pixelpulse aggregator (release), ingest-load ${LOAD_ARGS[*]} --duration-s $DURATION_S" \
  "(100 000 keys, warmed with 200 000 events); paused = one SUB of everything that never reads"
echo
NONE=(); PAUSED=(); RATIOS=(); PUBS=()
for i in $(seq "$ROUNDS"); do
  echo "  round $i:" >&2
  if [ $((i % 2)) = 1 ]; then order=(none paused); else order=(paused none); fi
  ok=1
  for mode in "${order[@]}"; do
    if ! run "$mode"; then ok=0; break; fi
    if [ "$mode" = none ]; then n=$EPS; else p=$EPS; PUBS+=("$PUBLISHED"); fi
  done
  stop_pid "$SUB_PID"; SUB_PID=""; stop_pid "$BEAT_PID"; BEAT_PID=""; stop_pid "$AGG_PID"; AGG_PID=""
  [ "$ok" = 1 ] || continue
  ratio=$(awk -v a="$p" -v b="$n" 'BEGIN { printf "%.3f", a / b }')
  echo "    round $i: none $n events/s, paused $p events/s, ratio $ratio" >&2
  NONE+=("$n"); PAUSED+=("$p"); RATIOS+=("$ratio")
done
[ "${#NONE[@]}" -gt 0 ] || { echo "no successful round" >&2; exit 1; }
nm=$(printf '%s\n' "${NONE[@]}" | median)
pm=$(printf '%s\n' "${PAUSED[@]}" | median)
printf '| %-44s | %6s | %14s |\n' "feed subscribers" runs "events/s (med)"
printf '|%s|\n' "----------------------------------------------|--------|----------------"
printf '| %-44s | %6s | %14.0f |\n' "none" "${#NONE[@]}/$ROUNDS" "$nm"
printf '| %-44s | %6s | %14.0f |\n' "one SUB of everything, paused (never reads)" "${#PAUSED[@]}/$ROUNDS" "$pm"
echo
echo "paused/none: $(awk -v a="$pm" -v b="$nm" 'BEGIN { printf "%.3f", a / b }') (medians);" \
  "median of per-round ratios: $(printf '%s\n' "${RATIOS[@]}" | median) (target >= 0.90);" \
  "published (last heartbeat of each paused run): ${PUBS[*]}"
