#!/usr/bin/env bash
# cost_curves.sh - how the aggregator's cost grows with work: ingest events/s and memory at
# 1 000 to 1 000 000 keys, and hit -> feed latency at 10 000 to 100 000 hits/s; CSV and a plot.
#
#   Benchmarks/scripts/cost_curves.sh                        # writes Benchmarks/results/cost-*.csv, cost.png
#   KEYS_LIST="1000 100000" RATES="10000" OUT=/tmp/c Benchmarks/scripts/cost_curves.sh
#
# * keys: for each KEYS in KEYS_LIST, one round of aggregator_throughput.sh (KEYS=..., ROUNDS=1,
#   DURATION_S, SUBSCRIBE=everything, uniques on), appending keys,subscribe,uniques,events_per_s,
#   cpu_pct,rss_mb,bytes_per_key to OUT/cost-keys.csv; then the same with UNIQUES=0 and
#   SUBSCRIBE=rollups. The raw libzmq reference of each run is in its log.
# * latency: feed_latency.sh over RATES (background hits/s through the collector), appending
#   rate,achieved,p50_ms,p90_ms,p99_ms,max_ms,cpu_pct to OUT/cost-latency.csv.
# * plot: OUT/cost.png (gnuplot): events/s and resident memory against keys (log scales),
#   and latency p50/p99 against the rate achieved. PLOT_ONLY=1 draws it again from the CSVs.
#
# Env: KEYS_LIST ("1000 10000 100000 1000000"), RATES ("10000 50000 100000"), DURATION_S (8),
#      LATENCY_S (20), OUT (Benchmarks/results). Each run's full output goes to OUT/logs/.
# Needs: what aggregator_throughput.sh and feed_latency.sh need, and gnuplot (apt-get install gnuplot-nox).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
KEYS_LIST=${KEYS_LIST:-"1000 10000 100000 1000000"}
RATES=${RATES:-"10000 50000 100000"}
DURATION_S=${DURATION_S:-8}
LATENCY_S=${LATENCY_S:-20}
OUT=${OUT:-$(cd "$HERE/.." && pwd)/results}
command -v gnuplot >/dev/null || { echo "cost_curves.sh: needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 1; }
mkdir -p "$OUT/logs"
KEYS_CSV="$OUT/cost-keys.csv"
LATENCY_CSV="$OUT/cost-latency.csv"
if [ "${PLOT_ONLY:-0}" != 1 ]; then
echo "keys,subscribe,uniques,events_per_s,cpu_pct,rss_mb,bytes_per_key" >"$KEYS_CSV"
echo "rate,achieved,p50_ms,p90_ms,p99_ms,max_ms,cpu_pct" >"$LATENCY_CSV"

for mode in "everything 1" "rollups 0"; do
  read -r subscribe uniques <<<"$mode"
  for keys in $KEYS_LIST; do
    echo "keys $keys, subscriber of $subscribe, uniques $uniques" >&2
    KEYS=$keys ROUNDS=1 DURATION_S=$DURATION_S SUBSCRIBE=$subscribe UNIQUES=$uniques CSV=$KEYS_CSV \
      "$HERE/aggregator_throughput.sh" >"$OUT/logs/keys-$keys-$subscribe.md" 2>"$OUT/logs/keys-$keys-$subscribe.log"
  done
done
RATES=$RATES DURATION_S=$LATENCY_S CSV=$LATENCY_CSV "$HERE/feed_latency.sh" \
  >"$OUT/logs/latency.md" 2>"$OUT/logs/latency.log"
fi

gnuplot <<EOF2
set terminal pngcairo size 1200,420 font ",10" noenhanced
set output "$OUT/cost.png"
set datafile separator ","
set multiplot layout 1,3 title "PixelPulse aggregator, $(nproc) cores, $(date -u +%Y-%m-%d) (Benchmarks/scripts/cost_curves.sh)"
set logscale x
set xlabel "keys"
set grid
set key top right
set ylabel "events/s"
set format y "%.1s%c"
set title "ingest"
plot "$KEYS_CSV" using (strcol(2) eq "everything" ? \$1 : NaN):4 with linespoints title "uniques on, subscriber of everything", \
     "$KEYS_CSV" using (strcol(2) eq "rollups" ? \$1 : NaN):4 with linespoints title "uniques off, subscriber of rollups"
set ylabel "resident memory after the run, MB"
set logscale y
set format y "%g"
set key top left
set title "memory (the process alone: about 35 MB)"
plot "$KEYS_CSV" using (strcol(2) eq "everything" ? \$1 : NaN):6 with linespoints title "uniques on", \
     "$KEYS_CSV" using (strcol(2) eq "rollups" ? \$1 : NaN):6 with linespoints title "uniques off"
unset logscale x
unset logscale y
set key top left
set xlabel "hits/s achieved through the collector"
set ylabel "hit -> subscriber, ms"
set format x "%.0s%c"
set title "latency"
plot "$LATENCY_CSV" using 2:3 every ::1 with linespoints title "p50", \
     "$LATENCY_CSV" using 2:5 every ::1 with linespoints title "p99"
unset multiplot
EOF2
echo "## cost against keys ($KEYS_CSV)"
column -s, -t "$KEYS_CSV"
echo
echo "## latency against load ($LATENCY_CSV)"
column -s, -t "$LATENCY_CSV"
echo
echo "plot: $OUT/cost.png"
