#!/usr/bin/env bash
# zmq_vs_c.sh - ZeroMQ PUSH->PULL throughput: our Swift binding (zmq-throughput) against the
# C reference loop (Reference/zmq_thr.c), same flags, same structure, same output line.
#
#   Benchmarks/scripts/zmq_vs_c.sh                       # RUNS=7 EVENTS=1000000
#   RUNS=15 EVENTS=2000000 Benchmarks/scripts/zmq_vs_c.sh
#
# Builds the C reference with cc into $WORK and the Swift tool with
# `swift build -c release --product zmq-throughput` in Benchmarks/, then for each case
# (tcp://127.0.0.1:<free port> and ipc://$WORK/..., 64-byte events, batch 1 and batch 64)
# runs C and Swift alternately RUNS times each, the order flipped every pair (C,S / S,C / ...)
# so drift and warm-up hit both alike. Each run gets a fresh endpoint. Prints every run on
# stderr and a markdown table on stdout: median events/s of C and of Swift, the ratio of the
# medians and the median of the per-pair ratios. Runs vary by about +-30 % on a 2-core
# machine: trust the medians and ratios, not single runs, and run nothing else meanwhile.
#
# Env: RUNS (7), EVENTS (1000000), WORK (a fresh temp dir, removed afterwards), CC (cc).
# Needs: libzmq3-dev, pkg-config, a C compiler, python3 (to pick free tcp ports), swift.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$HERE/.." && pwd)
RUNS=${RUNS:-7}
EVENTS=${EVENTS:-1000000}
CC=${CC:-cc}
use_work_dir zmq-vs-c
cleanup() {
  rm -f "$WORK"/*.ipc
  if [ "$KEEP_WORK" = 0 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- build ---------------------------------------------------------------------------------
C_BIN="$WORK/zmq_thr"
# shellcheck disable=SC2046  # pkg-config output must split into words
"$CC" -O2 -Wall -o "$C_BIN" "$BENCH/Reference/zmq_thr.c" $(pkg-config --cflags --libs libzmq) -lpthread

if ! (cd "$BENCH" && swift build -c release --product zmq-throughput) >"$WORK/swift-build.log" 2>&1; then
  cat "$WORK/swift-build.log" >&2
  echo "zmq_vs_c.sh: swift build failed" >&2
  exit 1
fi
SWIFT_BIN="$(cd "$BENCH" && swift build -c release --show-bin-path)/zmq-throughput"

# --- helpers -------------------------------------------------------------------------------
SEQ=0
endpoint() { # transport -> a fresh endpoint
  SEQ=$((SEQ + 1))
  case $1 in
    tcp) echo "tcp://127.0.0.1:$(free_port)" ;;
    ipc) echo "ipc://$WORK/zmq.$SEQ.ipc" ;;
  esac
}

run_one() { # name binary transport batch -> events/s on stdout; fails on error or loss
  local name=$1 bin=$2 ep out lost
  ep=$(endpoint "$3")
  if ! out=$("$bin" --pattern pushpull --endpoint "$ep" --events "$EVENTS" --event-bytes 64 --batch "$4" 2>&1); then
    echo "    $name failed: $out" >&2; return 1
  fi
  rm -f "${ep#ipc://}"
  lost=$(printf '%s\n' "$out" | field lost)
  if [ "$lost" != 0 ]; then echo "    $name lost events: $out" >&2; return 1; fi
  printf '%s\n' "$out" | field events_per_s
}

# --- run -----------------------------------------------------------------------------------
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, libzmq $(pkg-config --modversion libzmq)," \
  "$(swift --version 2>/dev/null | head -1)"
echo "# RUNS=$RUNS EVENTS=$EVENTS, PUSH->PULL, 64-byte events; C = Reference/zmq_thr.c (cc -O2)," \
  "Swift = zmq-throughput (swift build -c release)"
echo
printf '| %-9s | %5s | %5s | %15s | %15s | %7s | %16s |\n' \
  transport batch runs "C events/s" "Swift events/s" Swift/C "per-pair Swift/C"
printf '|%s|\n' "-----------|-------|-------|-----------------|-----------------|---------|------------------"

for transport in tcp ipc; do
  for batch in 1 64; do
    cs=(); ss=(); rs=()
    echo "  $transport batch $batch:" >&2
    for i in $(seq "$RUNS"); do
      if [ $((i % 2)) = 1 ]; then
        c=$(run_one C "$C_BIN" "$transport" "$batch") || continue
        s=$(run_one Swift "$SWIFT_BIN" "$transport" "$batch") || continue
      else
        s=$(run_one Swift "$SWIFT_BIN" "$transport" "$batch") || continue
        c=$(run_one C "$C_BIN" "$transport" "$batch") || continue
      fi
      r=$(awk -v a="$s" -v b="$c" 'BEGIN { printf "%.3f", a / b }')
      printf '    pair %2d: C %10s  Swift %10s  Swift/C %s\n' "$i" "$c" "$s" "$r" >&2
      cs+=("$c"); ss+=("$s"); rs+=("$r")
    done
    n=${#cs[@]}
    if [ "$n" = 0 ]; then
      printf '| %-9s | %5s | %5s | %15s | %15s | %7s | %16s |\n' "$transport" "$batch" "0/$RUNS" - - - -
      continue
    fi
    cm=$(printf '%s\n' "${cs[@]}" | median)
    sm=$(printf '%s\n' "${ss[@]}" | median)
    rm_=$(printf '%s\n' "${rs[@]}" | median)
    printf '| %-9s | %5s | %5s | %15.0f | %15.0f | %7.3f | %16.3f |\n' \
      "$transport" "$batch" "$n/$RUNS" "$cm" "$sm" "$(awk -v a="$sm" -v b="$cm" 'BEGIN { print a / b }')" "$rm_"
  done
done
