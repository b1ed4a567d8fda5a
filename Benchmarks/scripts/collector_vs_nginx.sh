#!/usr/bin/env bash
# collector_vs_nginx.sh - the PixelPulse collector's pixel endpoint against nginx `empty_gif`
# (access log on), under the same wrk load on the same machine, run alternately.
#
#   Benchmarks/scripts/collector_vs_nginx.sh                    # ROUNDS=3, wrk -t1 -c64 -d10s
#   ROUNDS=5 DURATION=20s CONNS=128 Benchmarks/scripts/collector_vs_nginx.sh
#   SPOOL=1 Benchmarks/scripts/collector_vs_nginx.sh              # + the collector with a disk spool
#   MODE=redirect Benchmarks/scripts/collector_vs_nginx.sh        # signed tracking links vs nginx `return 302`
#
# Builds `pixelpulse` (`swift build -c release --product pixelpulse` at the repo root). Then
# ROUNDS times, the order flipped every round, each server a fresh process on a free port:
#
# * nginx: 1 worker, `location /p/ { empty_gif; }`, access log on (combined, unbuffered: one
#   write per hit), keepalive_requests 1000000 (the default 1000 makes wrk measure reconnects);
#   the config of ../../shared/baselines/scripts/run_nginx.sh, variant log_on.
# * collector: `pixelpulse serve --http 127.0.0.1:<port> --ingest tcp://127.0.0.1:*
#   --feed tcp://127.0.0.1:*` (no demo): HTTP parsing, validation, visitor hashing, batching
#   and forwarding to the embedded aggregator, which counts every hit into its windows and
#   publishes the feed - the whole product in one process, against a server that only logs.
# * with MODE=redirect, both answer a tracking link instead of a pixel: the collector a link
#   signed by `pixelpulse link` (plain 302 path: signature checked, click counted, a signed
#   click id drawn and added to the Location), nginx `location /r/ { return 302 <destination>; }`
#   with the same access log.
# * with SPOOL=1, a third contender, spool: the same collector with `--spool-dir $WORK/spool-<n>`
#   (a fresh directory on the disk of $WORK per run): every hit is written to the spool before
#   it is answered, and batches are sent from the spool.
#
# Both get the same URL, a 2 s wrk warm-up, then `wrk -t$THREADS -c$CONNS -d$DURATION --latency`.
# Per run: req/s, p50/p99, the server's CPU use over the measured run (utime+stime of its
# processes from /proc; 100 % = one core), and a loss check: the hits the server recorded
# during the measured run (nginx: access-log lines; collector: `hits_total` from /metrics)
# minus the requests wrk reports. wrk counts only responses it read before its clock ran out,
# so up to CONNS requests per run may reach the server uncounted: 0 <= difference <= CONNS is
# no loss. After the last collector run its /metrics must also show events_sent_total =
# hits_total, every batch acknowledged `accepted` and nothing dropped.
#
# Prints every run on stderr and a markdown table on stdout. Runs vary by about +-30 % (wrk and
# the server share 2 cores): quote the medians and the ratio, and run nothing else meanwhile.
#
# Env: ROUNDS (3), DURATION (10s), CONNS (64), THREADS (1), SPOOL (0), MODE (pixel|redirect),
#      COLLECTOR_ARGS (more arguments for the collector, e.g. "--event-loops 1"), WORK (temp dir, removed afterwards).
# Needs: swift, nginx (Debian nginx-light is enough), wrk, curl, python3 (free ports).
set -euo pipefail
# shellcheck source=lib/common.sh
source "$(dirname "$0")/lib/common.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-1}
SPOOL=${SPOOL:-0}
MODE=${MODE:-pixel}
URL_PATH="/p/c1234/px.gif?e=view&u=5f2b9c1e&ts=1764384000"
DESTINATION="https://shop.example/spring?utm_source=mail&utm_campaign=c1234"
NGINX_LOCATION="location /p/ { empty_gif; }"
case $MODE in
  pixel) ;;
  redirect)
    export PIXELPULSE_LINK_SECRETS=collector-vs-nginx-link-secret
    NGINX_LOCATION="location /r/ { return 302 '$DESTINATION'; }" ;;
  *) echo "collector_vs_nginx.sh: MODE is pixel or redirect, not $MODE" >&2; exit 2 ;;
esac
use_work_dir collector-vs-nginx

SERVER_PID=""
stop_server() { # stops $SERVER_PID (nginx: QUIT = graceful; pixelpulse: TERM = graceful)
  local pid=$SERVER_PID sig=${1:-TERM}
  SERVER_PID=""
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill "-$sig" "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_server TERM
  if [ "$KEEP_WORK" = 0 ]; then rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build ---------------------------------------------------------------------------------
if ! (cd "$ROOT" && swift build -c release --product pixelpulse) >"$WORK/build.log" 2>&1; then
  cat "$WORK/build.log" >&2; echo "collector_vs_nginx.sh: swift build failed" >&2; exit 1
fi
PIXELPULSE="$(cd "$ROOT" && swift build -c release --show-bin-path)/pixelpulse"
if [ "$MODE" = redirect ]; then
  URL_PATH=$("$PIXELPULSE" link --campaign c1234 --link mail --to "$DESTINATION" --base-url http://base | sed -n 's|^link: http://base||p')
fi

# --- helpers -------------------------------------------------------------------------------
to_ms() { # wrk latency like 1.23ms / 456.00us / 1.20s -> ms
  awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v }'
}
tree_ticks() { # pid -> utime+stime of it and its children (nginx master + worker)
  local total=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
HZ=$(getconf CLK_TCK)
metric_sum() { # metrics-text name -> sum of all its samples
  awk -v n="$2" '$1 == n || index($1, n "{") == 1 {s += $2} END {printf "%.0f", s}' <<<"$1"
}
metrics() { curl -fsS "http://127.0.0.1:$PORT/metrics"; }

NGINX_DIR="$WORK/nginx"  # start_nginx_with (lib/common.sh) keeps its files there
start_nginx() { start_nginx_with "$NGINX_LOCATION"; }
start_collector() { # [extra options]
  # shellcheck disable=SC2086 # COLLECTOR_ARGS is a list of words
  "$PIXELPULSE" serve --http "127.0.0.1:$PORT" --ingest 'tcp://127.0.0.1:*' --feed 'tcp://127.0.0.1:*' --snapshot 'tcp://127.0.0.1:*' \
    ${COLLECTOR_ARGS:-} "$@" >"$WORK/collector.out" 2>"$WORK/collector.err" &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$PORT/readyz" 2>/dev/null && return 0; sleep 0.1; done
  cat "$WORK/collector.err" >&2; echo "collector did not become ready" >&2; return 1
}
SPOOL_RUNS=0
start_spool() {
  SPOOL_RUNS=$((SPOOL_RUNS + 1))
  start_collector --spool-dir "$WORK/spool-$SPOOL_RUNS"
}
recorded() { # server -> hits recorded so far
  case $1 in
    nginx) wc -l <"$NGINX_DIR/logs/access.log" | tr -d ' ' ;;
    collector|spool) metric_sum "$(metrics)" pixelpulse_collector_hits_total ;;
  esac
}

# One run; sets RPS P50 P99 CPU DIFF (and, for the collector, FINAL_METRICS).
run_one() { # nginx|collector
  local server=$1 out h0 h1 c0 c1 requests secs errs
  PORT=$(free_port)
  "start_$server" || return 1
  wrk -t"$THREADS" -c"$CONNS" -d2s "http://127.0.0.1:$PORT$URL_PATH" >/dev/null   # warm-up
  sleep 0.3
  h0=$(recorded "$server"); c0=$(tree_ticks "$SERVER_PID")
  out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$PORT$URL_PATH")
  c1=$(tree_ticks "$SERVER_PID")
  sleep 0.3  # the collector's batch delay is 5 ms; let the last batch be counted
  h1=$(recorded "$server")
  if [ "$server" != nginx ]; then eval "FINAL_METRICS_$server=\$(metrics)"; fi
  if [ "$server" = nginx ]; then stop_server QUIT; else stop_server TERM; fi
  RPS=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  P50=$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")
  P99=$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  secs=$(awk '/requests in/ {sub(/s,$/, "", $4); print $4}' <<<"$out")
  CPU=$(awk -v a="$c0" -v b="$c1" -v hz="$HZ" -v s="$secs" 'BEGIN { printf "%.0f", (b - a) / hz / s * 100 }')
  DIFF=$((h1 - h0 - requests))
  errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr -s ' ' | tr '\n' ' ' || true)
  printf '    %-9s rps=%s p50_ms=%s p99_ms=%s cpu=%s%% wrk_requests=%s recorded=%s diff=%s %s\n' \
    "$server" "$RPS" "$P50" "$P99" "$CPU" "$requests" "$((h1 - h0))" "$DIFF" "$errs" >&2
}

# --- run -----------------------------------------------------------------------------------
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(nginx -v 2>&1 | sed 's/.*: //'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)," \
  "$(swift --version 2>/dev/null | head -1), pixelpulse $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?')"
echo "# MODE=$MODE: wrk -t$THREADS -c$CONNS -d$DURATION --latency 'http://127.0.0.1:<port>$URL_PATH' (2 s warm-up), ROUNDS=$ROUNDS, alternating"
echo
declare -A R_RPS R_P50 R_P99 R_CPU R_DIFF
RATIOS=()
SPOOL_RATIOS=()
SERVERS="nginx collector"
if [ "$SPOOL" = 1 ]; then SERVERS="nginx collector spool"; fi
ok=0
for i in $(seq "$ROUNDS"); do
  echo "  round $i:" >&2
  # Each round starts with the next server, so that none is always first or last.
  read -r -a all <<<"$SERVERS"
  n=${#all[@]}
  order=""
  for j in $(seq 0 $((n - 1))); do order+="${all[$(((i - 1 + j) % n))]} "; done
  failed=0
  for server in $order; do
    if ! run_one "$server"; then failed=1; stop_server KILL; break; fi
    R_RPS[$server]+="$RPS "; R_P50[$server]+="$P50 "; R_P99[$server]+="$P99 "; R_CPU[$server]+="$CPU "
    R_DIFF[$server]+="$DIFF "
    eval "last_$server=$RPS"
  done
  [ "$failed" = 0 ] || continue
  ok=$((ok + 1))
  # shellcheck disable=SC2154  # set by eval above
  RATIOS+=("$(awk -v a="$last_collector" -v b="$last_nginx" 'BEGIN { printf "%.3f", a / b }')")
  # shellcheck disable=SC2154  # set by eval above
  if [ "$SPOOL" = 1 ]; then SPOOL_RATIOS+=("$(awk -v a="$last_spool" -v b="$last_nginx" 'BEGIN { printf "%.3f", a / b }')"); fi
done
[ "$ok" -gt 0 ] || { echo "no successful round" >&2; exit 1; }

med() { printf '%s\n' $1 | median; }
printf '| %-28s | %5s | %11s | %8s | %8s | %12s | %-24s |\n' server runs "req/s (med)" "p50 ms" "p99 ms" "server CPU %" "recorded - wrk, per run"
printf '|%s|\n' "------------------------------|-------|-------------|----------|----------|--------------|--------------------------"
for server in $SERVERS; do
  case $server in
    nginx) label="nginx empty_gif, log on"; [ "$MODE" = pixel ] || label="nginx return 302, log on" ;;
    collector) label="pixelpulse serve (collector)" ;;
    spool) label="pixelpulse serve --spool-dir" ;;
  esac
  printf '| %-28s | %5s | %11.0f | %8.3f | %8.3f | %12.0f | %-24s |\n' "$label" "$ok/$ROUNDS" \
    "$(med "${R_RPS[$server]}")" "$(med "${R_P50[$server]}")" "$(med "${R_P99[$server]}")" \
    "$(med "${R_CPU[$server]}")" "${R_DIFF[$server]% }"
done
cm=$(med "${R_RPS[collector]}"); nm=$(med "${R_RPS[nginx]}")
echo
echo "collector/nginx(log on, MODE=$MODE) req/s: ratio of medians $(awk -v a="$cm" -v b="$nm" 'BEGIN { printf "%.3f", a / b }')," \
  "median of per-round ratios $(printf '%s\n' "${RATIOS[@]}" | median)" \
  "(p99 ratio $(awk -v a="$(med "${R_P99[collector]}")" -v b="$(med "${R_P99[nginx]}")" 'BEGIN { printf "%.2f", a / b }'))"
if [ "$SPOOL" = 1 ]; then
  sm=$(med "${R_RPS[spool]}")
  echo "spool/nginx(log on) req/s: ratio of medians $(awk -v a="$sm" -v b="$nm" 'BEGIN { printf "%.3f", a / b }')," \
    "median of per-round ratios $(printf '%s\n' "${SPOOL_RATIOS[@]}" | median)" \
    "(p99 ratio $(awk -v a="$(med "${R_P99[spool]}")" -v b="$(med "${R_P99[nginx]}")" 'BEGIN { printf "%.2f", a / b }'));" \
    "spool/collector: $(awk -v a="$sm" -v b="$cm" 'BEGIN { printf "%.3f", a / b }')"
fi

# Loss check on the last process of each collector variant (all its hits: readiness curl
# excluded, warm-up included).
for server in $SERVERS; do
  [ "$server" != nginx ] || continue
  final_var="FINAL_METRICS_$server"
  FINAL_METRICS=${!final_var}
  hits=$(metric_sum "$FINAL_METRICS" pixelpulse_collector_hits_total)
  sent=$(metric_sum "$FINAL_METRICS" pixelpulse_collector_events_sent_total)
  batches=$(metric_sum "$FINAL_METRICS" pixelpulse_collector_batches_sent_total)
  accepted=$(awk '$1 == "pixelpulse_collector_batch_acks_total{status=\"accepted\"}" {printf "%.0f", $2}' <<<"$FINAL_METRICS")
  dropped=$(metric_sum "$FINAL_METRICS" pixelpulse_collector_dropped_total)
  rejected=$(metric_sum "$FINAL_METRICS" pixelpulse_collector_rejected_total)
  errors=$(metric_sum "$FINAL_METRICS" pixelpulse_collector_http_errors_total)
  verdict="no loss"
  if [ "$hits" != "$sent" ] || [ "$batches" != "$accepted" ] || [ "$dropped" != 0 ]; then verdict="LOSS"; fi
  for d in ${R_DIFF[$server]}; do
    if [ "$d" -lt 0 ] || [ "$d" -gt "$CONNS" ]; then verdict="MISMATCH (recorded - wrk outside 0..$CONNS)"; fi
  done
  echo "$server loss check: per run, hits_total delta - wrk requests = ${R_DIFF[$server]% } (nginx access-log lines" \
    "- wrk requests = ${R_DIFF[nginx]% }; 0..$CONNS = requests in flight when wrk stopped);" \
    "last $server process: hits_total=$hits events_sent_total=$sent batches_sent=$batches acks_accepted=$accepted" \
    "dropped=$dropped rejected=$rejected http_errors=$errors -> $verdict"
done
