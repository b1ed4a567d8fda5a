#!/usr/bin/env bash
# aggregator_throughput.sh - whole-process ingest throughput of `pixelpulse aggregator`, next to
# the raw libzmq ceiling for the same message size, run alternately in one go.
#
#   Benchmarks/scripts/aggregator_throughput.sh                  # ROUNDS=3, 10 s per aggregator run
#   ROUNDS=5 DURATION_S=20 Benchmarks/scripts/aggregator_throughput.sh
#   EVENTS=20000000 Benchmarks/scripts/aggregator_throughput.sh  # a fixed event count instead
#   PERF=1 Benchmarks/scripts/aggregator_throughput.sh           # + one unmeasured profiled run
#   SUBSCRIBE=rollups UNIQUES=0 Benchmarks/scripts/aggregator_throughput.sh
#   KEYS=1000000 ROUNDS=1 Benchmarks/scripts/aggregator_throughput.sh
#
# Builds `pixelpulse` (`swift build -c release --product pixelpulse` at the repo root), the
# load generator `ingest-load` (`swift build -c release --product ingest-load` here) and the C
# reference (Reference/zmq_thr.c, cc -O2). Then ROUNDS times, the order flipped every round:
#
# * aggregator: starts `pixelpulse aggregator --ingest tcp://127.0.0.1:<free port>
#   --feed tcp://127.0.0.1:*` (a fresh process every round), subscribes to its feed
#   (python3 + pyzmq: SUBSCRIBE=everything reads every message, rollups only each campaign's
#   rollup topic, heartbeat only the heartbeats), warms it with max(200 000, 2 x KEYS) events
#   from a separate collector id (every key exists and is active), waits a second, then runs
#   `ingest-load` for DURATION_S seconds (or EVENTS events): a DEALER sending pre-encoded
#   256-event batches over KEYS/100 campaigns x 100 pixels, scattered so each batch touches
#   256 keys, at most 64 unacknowledged; events/s from first send to last ack, every ack must
#   be `accepted`. Also recorded: the aggregator's CPU use over the run (utime+stime from
#   /proc, 100 % = one core), its resident memory after the run (VmRSS) and per key, the
#   median `ingestRate` of the heartbeats that fell inside the run, the feed messages the
#   subscriber read per second, and the last heartbeat's `pixelInterval` and `feedShare`.
# * raw: `zmq_thr --pattern pushpull --batch 256 --event-bytes B` over tcp 127.0.0.1, where
#   B = round(mean encoded batch bytes / 256) of the very traffic ingest-load sends, so the
#   messages have the same size; EVENTS_RAW events (20 000 000), libzmq default HWM. This is
#   one hop with no decoding, counting, acks or feed: the ceiling for any aggregator.
#
# Prints every run on stderr and a markdown table on stdout: medians and aggregator/raw.
# Runs vary by about +-30 % on a 2-core machine (the load generator shares the cores): quote
# medians and ratios and run nothing else meanwhile.
#
# Env: ROUNDS (3), DURATION_S (10), EVENTS (unset: use DURATION_S), EVENTS_RAW (20000000),
#      KEYS (100000, a multiple of 100), SUBSCRIBE (everything | rollups | heartbeat),
#      UNIQUES (1; 0 = the aggregator runs with --no-uniques), CSV (a file to append one line
#      per aggregator round to: keys,subscribe,uniques,events_per_s,cpu_pct,rss_mb,bytes_per_key),
#      WINDOW (64), ORDER (scattered | sequential), PERF (0; 1 = profile one extra run with
#      `perf record -g` and print the top symbols), WORK (temp dir, removed afterwards), CC (cc),
#      DURABLE (0; 1 = the aggregator runs with --data-dir: a write-ahead log, fdatasync per ack group),
#      CHECKPOINT_S (with DURABLE=1: --checkpoint-seconds; unset: the default 60 s, none during a run),
#      REDIS (0; 1 = a third contender every round, the peer a user would otherwise build: a fresh
#      redis-server, no persistence, fed by `redis-cli --pipe` with REDIS_EVENTS (1000000) events of
#      the same shape written by lib/redis_counters.py as per-second bucket HINCRBYs for the pixel
#      and the campaign and a PFADD of the visitor (see there); events/s from the pipe's start to
#      its last reply, and the ratio aggregator/redis).
# Needs: swift, libzmq3-dev, pkg-config, a C compiler, python3 with pyzmq; perf for PERF=1;
#        redis-server and redis-cli (Debian redis-server) for REDIS=1.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
ROUNDS=${ROUNDS:-3}
DURATION_S=${DURATION_S:-10}
EVENTS=${EVENTS:-}
EVENTS_RAW=${EVENTS_RAW:-20000000}
WINDOW=${WINDOW:-64}
ORDER=${ORDER:-scattered}
PERF=${PERF:-0}
DURABLE=${DURABLE:-0}
REDIS=${REDIS:-0}
REDIS_EVENTS=${REDIS_EVENTS:-1000000}
KEYS=${KEYS:-100000}
SUBSCRIBE=${SUBSCRIBE:-everything}
UNIQUES=${UNIQUES:-1}
CSV=${CSV:-}
CC=${CC:-cc}
PIXELS=100
CAMPAIGNS=$((KEYS / PIXELS))
WARM_EVENTS=$((2 * KEYS > 200000 ? 2 * KEYS : 200000))
case "$SUBSCRIBE" in everything|rollups|heartbeat) ;; *) echo "SUBSCRIBE is everything, rollups or heartbeat" >&2; exit 2 ;; esac
[ $((CAMPAIGNS * PIXELS)) = "$KEYS" ] && [ "$CAMPAIGNS" -ge 1 ] || { echo "KEYS must be a multiple of $PIXELS" >&2; exit 2; }
BATCH=256
use_work_dir aggregator-throughput

AGG_PID=""; SUB_PID=""; REDIS_PID=""
cleanup() {
  stop_pid "$SUB_PID"; stop_pid "$AGG_PID"; stop_pid "$REDIS_PID"
  if [ "$KEEP_WORK" = 0 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build ---------------------------------------------------------------------------------
build_aggregator_and_load
RAW="$WORK/zmq_thr"
# shellcheck disable=SC2046  # pkg-config output must split into words
"$CC" -O2 -Wall -o "$RAW" "$BENCH/Reference/zmq_thr.c" $(pkg-config --cflags --libs libzmq) -lpthread
need_pyzmq

# The feed's subscriber: reads what SUBSCRIBE says, records every heartbeat as
# "<wall seconds> <ingestRate> <activeKeys> <events> <stats messages read so far>
# <pixelInterval> <feedShare>".
cat >"$WORK/heartbeats.py" <<'EOF2'
import json, sys, time, zmq
feed, out_path, mode, campaigns = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
sub = zmq.Context().socket(zmq.SUB)
sub.setsockopt(zmq.RCVHWM, 1000000)
if mode == "everything":
    sub.setsockopt(zmq.SUBSCRIBE, b"")
else:
    sub.setsockopt(zmq.SUBSCRIBE, b"heartbeat/")
    if mode == "rollups":
        for c in range(campaigns):
            sub.setsockopt(zmq.SUBSCRIBE, b"stats/campaign-%04d/*/" % c)
sub.connect(feed)
stats = 0
with open(out_path, "w", buffering=1) as out:
    while True:
        frames = sub.recv_multipart(copy=False)
        if frames[0].bytes != b"heartbeat/":
            stats += 1
            continue
        beat = json.loads(frames[1].bytes)
        out.write(f"{time.time():.3f} {beat['ingestRate']} {beat['activeKeys']} {beat['events']} {stats} "
                  f"{beat.get('pixelInterval')} {beat.get('feedShare')}\n")
EOF2

# --- helpers -------------------------------------------------------------------------------
now() { date +%s.%N; }

LOAD_ARGS=(--window "$WINDOW" --order "$ORDER" --batch "$BATCH" --campaigns "$CAMPAIGNS" --pixels "$PIXELS")
if [ -n "$EVENTS" ]; then RUN_ARGS=(--events "$EVENTS"); else RUN_ARGS=(--duration-s "$DURATION_S"); fi
describe=$("$LOAD" "${LOAD_ARGS[@]}" --describe)
BATCH_BYTES=$(printf '%s\n' "$describe" | field batch_bytes_mean)
EVENT_BYTES=$(awk -v b="$BATCH_BYTES" -v n="$BATCH" 'BEGIN { e = int(b / n + 0.5); if (e < 8) e = 8; print e }')
HZ=$(getconf CLK_TCK)

# The next aggregator's arguments: --no-uniques with UNIQUES=0; with DURABLE=1, an empty
# --data-dir (no replay at its start).
fresh_data_dir() {
  AGGREGATOR_ARGS=""
  [ "$UNIQUES" = 1 ] || AGGREGATOR_ARGS="--no-uniques"
  if [ "$DURABLE" = 1 ]; then
    rm -rf "$WORK/data"; AGGREGATOR_ARGS="$AGGREGATOR_ARGS --data-dir $WORK/data${CHECKPOINT_S:+ --checkpoint-seconds $CHECKPOINT_S}"
  fi
}

# Runs one measured aggregator round; sets A_EPS, A_CPU (%), A_HB (heartbeat ingestRate),
# A_RSS (MB after the run), A_MPS (feed messages read per second), A_CONFLATION.
# (Not called in $(...): the PIDs must stay visible to the EXIT trap.)
run_aggregator() {
  fresh_data_dir
  start_aggregator || return 1
  python3 "$WORK/heartbeats.py" "$FEED" "$WORK/heartbeats.txt" "$SUBSCRIBE" "$CAMPAIGNS" &
  SUB_PID=$!
  local warm out c0 c1 s0 s1 t0 t1 eps secs cpu hb
  if ! warm=$("$LOAD" "${LOAD_ARGS[@]}" --endpoint "$INGEST" --events "$WARM_EVENTS" --collector-id warm 2>&1); then
    echo "    warm-up failed: $warm" >&2; stop_pid "$SUB_PID"; stop_pid "$AGG_PID"; return 1
  fi
  sleep 1
  c0=$(cpu_ticks "$AGG_PID"); s0=$(cpu_ticks "$SUB_PID"); t0=$(now)
  if ! out=$("$LOAD" "${LOAD_ARGS[@]}" "${RUN_ARGS[@]}" --endpoint "$INGEST" --collector-id load 2>&1); then
    echo "    ingest-load failed: $out" >&2; stop_pid "$SUB_PID"; stop_pid "$AGG_PID"; return 1
  fi
  c1=$(cpu_ticks "$AGG_PID"); s1=$(cpu_ticks "$SUB_PID"); t1=$(now)
  A_RSS=$(awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$AGG_PID/status")
  sleep 1.2  # one more heartbeat
  stop_pid "$SUB_PID"; SUB_PID=""
  stop_pid "$AGG_PID"; AGG_PID=""
  echo "    aggregator: $out" >&2
  eps=$(printf '%s\n' "$out" | field events_per_s)
  secs=$(printf '%s\n' "$out" | field secs)
  cpu=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v s="$secs" 'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }')
  # Heartbeats received from 1.1 s after t0 to t1 + 0.3 s each cover ~1 s inside the run.
  hb=$(awk -v a="$t0" -v b="$t1" '$1 >= a + 1.1 && $1 <= b + 0.3 && $2 > 0 {print $2}' "$WORK/heartbeats.txt" | median)
  echo "    heartbeats in run: $(awk -v a="$t0" -v b="$t1" '$1 >= a + 1.1 && $1 <= b + 0.3 {printf "%s ", $2}' \
    "$WORK/heartbeats.txt")(activeKeys $(tail -1 "$WORK/heartbeats.txt" | cut -d' ' -f3))" >&2
  # Stats messages read per second, between the first and last heartbeat inside the run.
  A_MPS=$(awk -v a="$t0" -v b="$t1" '$1 >= a + 1.1 && $1 <= b + 0.3 { if (!n++) { s0 = $5; w0 = $1 } s1 = $5; w1 = $1 }
    END { printf "%.0f", (w1 > w0) ? (s1 - s0) / (w1 - w0) : 0 }' "$WORK/heartbeats.txt")
  A_CONFLATION=$(awk -v b="$t1" '$1 <= b + 0.3 { c = "pixelInterval=" $6 "ms feedShare=" $7 } END { print c }' "$WORK/heartbeats.txt")
  echo "    feed: $A_MPS stats messages/s read ($SUBSCRIBE) by a subscriber at" \
    "$(awk -v a="$s0" -v b="$s1" -v hz="$HZ" -v s="$secs" 'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }') % of a core;" \
    "last heartbeat in run: $A_CONFLATION; RSS $A_RSS MB" >&2
  rm -f "$WORK/heartbeats.txt"
  A_EPS=$eps; A_CPU=$cpu; A_HB=$hb
  if [ -n "$CSV" ]; then
    echo "$KEYS,$SUBSCRIBE,$UNIQUES,$eps,$cpu,$A_RSS,$(awk -v m="$A_RSS" -v k="$KEYS" 'BEGIN { printf "%.0f", m * 1048576 / k }')" >>"$CSV"
  fi
}

run_raw() { # sets R_EPS
  local out lost
  if ! out=$("$RAW" --pattern pushpull --endpoint "tcp://127.0.0.1:$(free_port)" --events "$EVENTS_RAW" \
      --event-bytes "$EVENT_BYTES" --batch "$BATCH" 2>&1); then
    echo "    raw failed: $out" >&2; return 1
  fi
  lost=$(printf '%s\n' "$out" | field lost)
  if [ "$lost" != 0 ]; then echo "    raw lost events: $out" >&2; return 1; fi
  echo "    raw:        $out" >&2
  R_EPS=$(printf '%s\n' "$out" | field events_per_s)
}

if [ "$REDIS" = 1 ]; then
  for tool in redis-server redis-cli; do
    command -v "$tool" >/dev/null || { echo "aggregator_throughput.sh: REDIS=1 needs $tool (apt-get install redis-server)" >&2; exit 1; }
  done
  REDIS_TRAFFIC=$(python3 "$HERE/lib/redis_counters.py" "$REDIS_EVENTS" "$WORK/redis.resp")
fi

run_redis() { # sets D_EPS: a fresh redis-server fed the whole file by redis-cli --pipe
  local port out t0 t1 errors
  port=$(free_port); mkdir -p "$WORK/redis"
  redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$WORK/redis" \
    --logfile "$WORK/redis/redis.log" --daemonize no &
  REDIS_PID=$!
  for _ in $(seq 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  t0=$(now)
  out=$(redis-cli -p "$port" --pipe <"$WORK/redis.resp" 2>&1) || { echo "    redis-cli failed: $out" >&2; stop_pid "$REDIS_PID"; REDIS_PID=""; return 1; }
  t1=$(now)
  stop_pid "$REDIS_PID"; REDIS_PID=""
  errors=$(printf '%s\n' "$out" | sed -n 's/^errors: \([0-9]*\),.*/\1/p')
  [ "$errors" = 0 ] || { echo "    redis answered errors: $out" >&2; return 1; }
  D_EPS=$(awk -v n="$REDIS_EVENTS" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
  echo "    redis:      events=$REDIS_EVENTS secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') events_per_s=$D_EPS" >&2
}

# --- run -----------------------------------------------------------------------------------
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, libzmq $(pkg-config --modversion libzmq)," \
  "$(swift --version 2>/dev/null | head -1), pixelpulse $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
echo "# aggregator: pixelpulse aggregator (release, DURABLE=$DURABLE, UNIQUES=$UNIQUES), ingest-load ${LOAD_ARGS[*]} ${RUN_ARGS[*]}" \
  "($KEYS keys, warmed with $WARM_EVENTS events); feed subscriber: $SUBSCRIBE"
echo "# traffic: $describe"
echo "# raw: zmq_thr --pattern pushpull --batch $BATCH --event-bytes $EVENT_BYTES --events $EVENTS_RAW (tcp)"
[ "$REDIS" = 1 ] && echo "# redis: redis-cli --pipe of lib/redis_counters.py ($REDIS_TRAFFIC)"
echo
AGG=(); CPU=(); HB=(); RAWS=(); RATIOS=(); REDISES=(); REDIS_RATIOS=(); RSS=(); MPS=()
for i in $(seq "$ROUNDS"); do
  echo "  round $i:" >&2
  if [ $((i % 2)) = 1 ]; then
    run_aggregator || continue
    run_raw || continue
  else
    run_raw || continue
    run_aggregator || continue
  fi
  eps=$A_EPS; cpu=$A_CPU; hb=$A_HB; r=$R_EPS
  ratio=$(awk -v a="$eps" -v b="$r" 'BEGIN { printf "%.4f", a / b }')
  printf '    round %d: aggregator %s events/s (cpu %s %%, heartbeat %s, RSS %s MB)  raw %s events/s  ratio %s\n' \
    "$i" "$eps" "$cpu" "$hb" "$A_RSS" "$r" "$ratio" >&2
  AGG+=("$eps"); CPU+=("$cpu"); HB+=("$hb"); RAWS+=("$r"); RATIOS+=("$ratio"); RSS+=("$A_RSS"); MPS+=("$A_MPS")
  if [ "$REDIS" = 1 ] && run_redis; then
    REDISES+=("$D_EPS"); REDIS_RATIOS+=("$(awk -v a="$eps" -v b="$D_EPS" 'BEGIN { printf "%.3f", a / b }')")
    echo "    round $i: redis $D_EPS events/s, aggregator/redis ${REDIS_RATIOS[-1]}" >&2
  fi
done
n=${#AGG[@]}
[ "$n" -gt 0 ] || { echo "no successful round" >&2; exit 1; }
am=$(printf '%s\n' "${AGG[@]}" | median)
rm_=$(printf '%s\n' "${RAWS[@]}" | median)
printf '| %-48s | %6s | %14s | %10s | %14s |\n' what runs "events/s (med)" "MB/s (med)" "aggregator/raw"
printf '|%s|\n' "--------------------------------------------------|--------|----------------|------------|----------------"
printf '| %-48s | %6s | %14.0f | %10.1f | %14.4f |\n' "aggregator, ingest-load ($ORDER, window $WINDOW)" "$n/$ROUNDS" \
  "$am" "$(awk -v e="$am" -v b="$BATCH_BYTES" -v n="$BATCH" 'BEGIN { print e * b / n / 1e6 }')" \
  "$(awk -v a="$am" -v b="$rm_" 'BEGIN { print a / b }')"
printf '| %-48s | %6s | %14.0f | %10.1f | %14s |\n' "raw libzmq PUSH->PULL, ${EVENT_BYTES} B x $BATCH per msg" "$n/$ROUNDS" \
  "$rm_" "$(awk -v e="$rm_" -v b="$EVENT_BYTES" 'BEGIN { print e * b / 1e6 }')" 1
if [ "${#REDISES[@]}" -gt 0 ]; then
  dm=$(printf '%s\n' "${REDISES[@]}" | median)
  printf '| %-48s | %6s | %14.0f | %10s | %14.4f |\n' "redis, per-second buckets (redis-cli --pipe)" "${#REDISES[@]}/$ROUNDS" \
    "$dm" - "$(awk -v a="$dm" -v b="$rm_" 'BEGIN { print a / b }')"
  echo
  echo "aggregator/redis, median of per-round ratios: $(printf '%s\n' "${REDIS_RATIOS[@]}" | median)"
fi
echo
echo "median of per-round ratios: $(printf '%s\n' "${RATIOS[@]}" | median);" \
  "aggregator CPU during the run (median, 100 % = 1 core): $(printf '%s\n' "${CPU[@]}" | median) %;" \
  "heartbeat ingestRate (median of the rounds' medians): $(printf '%s\n' "${HB[@]}" | median) events/s;" \
  "RSS after the run (median): $(printf '%s\n' "${RSS[@]}" | median) MB for $KEYS keys;" \
  "feed stats messages read per second ($SUBSCRIBE, median): $(printf '%s\n' "${MPS[@]}" | median)"

# --- optional profile ----------------------------------------------------------------------
if [ "$PERF" = 1 ]; then
  echo
  echo "## perf: one extra, unmeasured aggregator run (perf record -g, 8 s, during ingest-load)"
  fresh_data_dir
  start_aggregator
  python3 "$WORK/heartbeats.py" "$FEED" "$WORK/heartbeats.txt" "$SUBSCRIBE" "$CAMPAIGNS" &
  SUB_PID=$!
  "$LOAD" "${LOAD_ARGS[@]}" --endpoint "$INGEST" --events "$WARM_EVENTS" --collector-id warm >/dev/null
  sleep 1
  perf record -F 499 -g -p "$AGG_PID" -o "$WORK/perf.data" -- sleep 8 >/dev/null 2>"$WORK/perf.log" &
  PERF_PID=$!
  "$LOAD" "${LOAD_ARGS[@]}" --duration-s 9 --endpoint "$INGEST" --collector-id load >/dev/null
  wait "$PERF_PID" || true
  stop_pid "$SUB_PID"; SUB_PID=""
  stop_pid "$AGG_PID"; AGG_PID=""
  echo '```'
  echo "-- inclusive (children), top frames of the aggregator's own code:"
  perf report -i "$WORK/perf.data" --children --sort symbol --stdio -g none --percent-limit 3 2>/dev/null \
    | grep -E '^ +[0-9]' | grep -E 'PixelAggregator|PixelCore|ZeroMQ' | head -15 | cut -c1-170
  echo "-- self, top symbols:"
  perf report -i "$WORK/perf.data" --no-children --sort comm,symbol --stdio --percent-limit 1.5 2>/dev/null \
    | grep -E '^ +[0-9]' | head -15 | cut -c1-170
  echo '```'
fi
