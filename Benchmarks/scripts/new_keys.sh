#!/usr/bin/env bash
# new_keys.sh - what a new key costs as the keys pile up (issue 12): a whole `pixelpulse
# aggregator` fed batches of brand-new pixel names, each batch acked before the next, timed per
# slice of 10 240 keys; all keys in one campaign vs spread over CAMPAIGNS campaigns. New keys/s
# must stay flat: a slice late in the run costs what the first one did.
#
#   Benchmarks/scripts/new_keys.sh                      # 102 400 keys (10 slices), ROUNDS=3
#   KEYS=1024000 ROUNDS=1 Benchmarks/scripts/new_keys.sh  # 100 slices, up to a million keys
#   AGGREGATOR_ARGS="--tick-ms 60000" Benchmarks/scripts/new_keys.sh   # ingest alone, no feed ticks
#   PLOT=/tmp/new_keys.png Benchmarks/scripts/new_keys.sh
#
# Builds `pixelpulse` (`swift build -c release --product pixelpulse` at the repo root) and
# `ingest-load` (`swift build -c release --product ingest-load` here). Then ROUNDS times, for
# each layout (the order flipped every round): a fresh `pixelpulse aggregator --ingest
# tcp://127.0.0.1:<free port>` (memory only, no feed subscriber), and `ingest-load --new-keys
# KEYS --slice SLICE --campaigns 1` (or CAMPAIGNS): a DEALER sending pre-encoded 256-event
# batches, every event a new pixel (key i is `pixel-<i>` of campaign i mod C, one view each),
# one batch at a time, each acked before the next (see Tools/IngestLoad/Sources/NewKeys.swift).
# A slice's time runs from the ack before its first batch to the ack of its last.
#
# Every new key is also published at the next feed tick (250 ms): a tick that publishes tens of
# thousands of new keys holds ingestion up for 0.1-0.3 s, so a slice (~20-50 ms) that meets one
# is several times slower than its neighbours; quote medians of several rounds, or the whole
# run, or take the ticks out with AGGREGATOR_ARGS="--tick-ms 60000".
#
# Prints every run on stderr; on stdout a markdown table: keys so far -> new keys/s of the
# slice that ends there (median of the rounds), one campaign vs CAMPAIGNS campaigns; the whole
# run's keys/s; the ratio last slice / first slice and the same for the second half of the
# slices / the first half (1 = flat; the copying key table of issue 12 gave 0.05 and 0.30 at
# 102 400 keys in one campaign). And a PNG of the same (gnuplot, else python3 matplotlib;
# neither: no plot). Runs vary by about +-30 % on a 2-core machine: run nothing else meanwhile.
# Over 1000 campaigns and toward a million keys, keys/s falls also because each event updates
# its campaign's unique-visitor sketch and 1000 sketches do not fit in the cache: add
# --no-uniques to AGGREGATOR_ARGS to see the key table alone.
#
# Env: KEYS (102400), SLICE (10240), CAMPAIGNS (1000), ROUNDS (3), TIMEOUT_MS (60000),
#      PLOT (the PNG to write; ${TMPDIR:-/tmp}/new_keys.png; empty for none), AGGREGATOR_ARGS
#      (more `pixelpulse aggregator` options), WORK (temp dir, removed afterwards).
# Needs: swift, libzmq3-dev, pkg-config, python3 (a free port); for the plot gnuplot (Debian's
#      gnuplot-nox) or matplotlib.
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH=$(cd "$HERE/.." && pwd)
ROOT=$(cd "$BENCH/.." && pwd)
KEYS=${KEYS:-102400}
SLICE=${SLICE:-10240}
CAMPAIGNS=${CAMPAIGNS:-1000}
ROUNDS=${ROUNDS:-3}
TIMEOUT_MS=${TIMEOUT_MS:-60000}
PLOT=${PLOT-${TMPDIR:-/tmp}/new_keys.png}
use_work_dir new-keys

stop_aggregator_on_exit

build_aggregator_and_load
rm -f "$WORK"/slices-*.txt "$WORK"/all-*.txt  # a WORK given again holds an earlier run's

# Runs one layout once: $1 campaigns, $2 round; writes "<keys so far> <keys/s>" per slice to
# $WORK/slices-<campaigns>-<round>.txt and the whole run's keys/s to $WORK/all-<campaigns>-<round>.txt.
run_layout() {
  local out
  start_aggregator || return 1
  if ! out=$("$LOAD" --new-keys "$KEYS" --slice "$SLICE" --campaigns "$1" --endpoint "$INGEST" \
      --collector-id new-keys --timeout-ms "$TIMEOUT_MS" 2>&1); then
    echo "    ingest-load failed: $out" >&2; stop_pid "$AGG_PID"; AGG_PID=""; return 1
  fi
  stop_pid "$AGG_PID"; AGG_PID=""
  echo "    $1 campaign(s): $(printf '%s\n' "$out" | tail -1)" >&2
  printf '%s\n' "$out" | awk '/^slice=/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    print v["keys"], v["keys_per_s"] }' >"$WORK/slices-$1-$2.txt"
  printf '%s\n' "$out" | tail -1 | field keys_per_s >"$WORK/all-$1-$2.txt"
  printf '      %s\n' "$(awk '{ printf "%s ", $2 }' "$WORK/slices-$1-$2.txt")keys/s" >&2
}

# "<keys so far> <median keys/s over the rounds>" per slice, for $1 campaigns.
medians() {
  cat "$WORK"/slices-"$1"-*.txt | sort -k1,1n -k2,2g |
    awk '{ if ($1 != k && n) { print k, m(); n = 0 } k = $1; a[++n] = $2 }
         function m() { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
         END { if (n) print k, m() }'
}

echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, libzmq $(pkg-config --modversion libzmq)," \
  "$(swift --version 2>/dev/null | head -1), pixelpulse $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
echo "# pixelpulse aggregator (release, memory only${AGGREGATOR_ARGS:+, $AGGREGATOR_ARGS}), ingest-load --new-keys $KEYS --slice $SLICE" \
  "--campaigns 1 | $CAMPAIGNS: 256 new pixels a batch, each batch acked before the next; ROUNDS=$ROUNDS"
echo
for i in $(seq "$ROUNDS"); do
  echo "  round $i:" >&2
  if [ $((i % 2)) = 1 ]; then layouts=(1 "$CAMPAIGNS"); else layouts=("$CAMPAIGNS" 1); fi
  for campaigns in "${layouts[@]}"; do run_layout "$campaigns" "$i" || exit 1; done
done
medians 1 >"$WORK/one.txt"
medians "$CAMPAIGNS" >"$WORK/spread.txt"
# "<keys so far> <one campaign> <spread>", in the order of the keys.
awk 'NR == FNR { one[$1] = $2; next } $1 in one { print $1, one[$1], $2 }' "$WORK/one.txt" "$WORK/spread.txt" \
  >"$WORK/table.txt"

printf '| %11s | %24s | %24s |\n' "keys so far" "new keys/s, one campaign" "new keys/s, $CAMPAIGNS campaigns"
printf '|%s|\n' "------------:|-------------------------:|-------------------------:"
awk '{ printf "| %11d | %24.0f | %24.0f |\n", $1, $2, $3 }' "$WORK/table.txt"
printf '| %11s | %24.0f | %24.0f |\n' "whole run" "$(cat "$WORK"/all-1-*.txt | median)" \
  "$(cat "$WORK"/all-"$CAMPAIGNS"-*.txt | median)"
awk 'NR == 1 { a = $2; b = $3 } { x = $2; y = $3 }
     END { printf "| %11s | %24.2f | %24.2f |\n", "last/first", x / a, y / b }' "$WORK/table.txt"
# The same from the time of each half of the slices: one slow slice (a tick, a table doubling
# its storage) moves it little.
awk -v s="$SLICE" '{ k[NR] = $1; one[NR] = s / $2; spread[NR] = s / $3 }
     END { h = int(NR / 2); for (i = 1; i <= NR; i++) { if (i <= h) { o1 += one[i]; s1 += spread[i] }
                                                      else if (i > NR - h) { o2 += one[i]; s2 += spread[i] } }
           printf "| %11s | %24.2f | %24.2f |\n", "2nd/1st half", o1 / o2, s1 / s2 }' "$WORK/table.txt"

# --- plot ----------------------------------------------------------------------------------
[ -n "$PLOT" ] || exit 0
title="new keys/s per $SLICE-key slice, pixelpulse $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
if command -v gnuplot >/dev/null; then
  gnuplot <<EOF
set terminal pngcairo size 900,500
set output '$PLOT'
set title '$title'
set xlabel 'keys so far'
set ylabel 'new keys/s'
set yrange [0:*]
set key bottom left
set grid
plot '$WORK/table.txt' using 1:2 with linespoints title 'one campaign', \
     '' using 1:3 with linespoints title '$CAMPAIGNS campaigns'
EOF
  echo; echo "plot (gnuplot): $PLOT"
elif python3 -c 'import matplotlib' 2>/dev/null; then
  python3 - "$WORK/table.txt" "$PLOT" "$title" "$CAMPAIGNS" <<'EOF'
import sys
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
rows = [list(map(float, line.split())) for line in open(sys.argv[1])]
keys = [r[0] for r in rows]
plt.figure(figsize=(9, 5))
plt.plot(keys, [r[1] for r in rows], "o-", label="one campaign")
plt.plot(keys, [r[2] for r in rows], "s-", label=f"{sys.argv[4]} campaigns")
plt.ylim(bottom=0); plt.grid(True); plt.legend(loc="lower left")
plt.title(sys.argv[3]); plt.xlabel("keys so far"); plt.ylabel("new keys/s")
plt.savefig(sys.argv[2], dpi=100)
EOF
  echo; echo "plot (matplotlib): $PLOT"
else
  echo; echo "no plot: neither gnuplot (apt-get install gnuplot-nox) nor python3 matplotlib is installed" >&2
fi
