# Helpers shared by the load scripts beside this folder. Source it; it defines functions only.
# Functions that start or build things use the caller's $WORK (a scratch folder) and, for
# start_aggregator, $PIXELPULSE (the built executable).

use_work_dir() { # name -> WORK (given, and kept; or a new temp dir, removed by cleanup), KEEP_WORK
  if [ -n "${WORK:-}" ]; then
    mkdir -p "$WORK"; KEEP_WORK=1
  else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX"); KEEP_WORK=0
  fi
}

free_port() { # a TCP port free on 127.0.0.1 right now
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

field() { tr ' ' '\n' | sed -n "s/^$1=//p" | head -1; }  # key=value from a line of them

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime+stime of a pid, in clock ticks

stop_pid() { # pid [signal]: stop a process we started (signal, then KILL after 10 s) and reap it
  [ -n "$1" ] || return 0
  if kill -0 "$1" 2>/dev/null; then
    kill "-${2:-TERM}" "$1" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
  fi
  wait "$1" 2>/dev/null || true
}

build() { # dir product: swift build -c release, the log shown only on failure
  if ! (cd "$1" && swift build -c release --product "$2") >"$WORK/build-$2.log" 2>&1; then
    cat "$WORK/build-$2.log" >&2; echo "$(basename "$0"): building $2 failed" >&2; exit 1
  fi
}

build_aggregator_and_load() { # -> PIXELPULSE, LOAD: release builds of pixelpulse ($ROOT) and ingest-load ($BENCH)
  build "$ROOT" pixelpulse
  build "$BENCH" ingest-load
  PIXELPULSE="$(cd "$ROOT" && swift build -c release --show-bin-path)/pixelpulse"
  LOAD="$(cd "$BENCH" && swift build -c release --show-bin-path)/ingest-load"
}

need_pyzmq() { python3 -c 'import zmq' 2>/dev/null || { echo "$(basename "$0"): needs python3 with pyzmq" >&2; exit 1; }; }

start_aggregator() { # -> AGG_PID, INGEST, FEED: `pixelpulse aggregator` on a free port, + $AGGREGATOR_ARGS
  local port out
  port=$(free_port)
  out="$WORK/aggregator.out"
  # shellcheck disable=SC2086 # AGGREGATOR_ARGS is a list of words
  "$PIXELPULSE" aggregator --ingest "tcp://127.0.0.1:$port" --feed 'tcp://127.0.0.1:*' \
    --snapshot 'tcp://127.0.0.1:*' ${AGGREGATOR_ARGS:-} >"$out" 2>"$WORK/aggregator.err" &
  AGG_PID=$!
  for _ in $(seq 100); do
    grep -q '^feed: ' "$out" 2>/dev/null && break
    kill -0 "$AGG_PID" 2>/dev/null || { cat "$WORK/aggregator.err" >&2; return 1; }
    sleep 0.1
  done
  INGEST=$(sed -n 's/^ingest: //p' "$out"); FEED=$(sed -n 's/^feed: //p' "$out")
  [ -n "$INGEST" ] && [ -n "$FEED" ] || { echo "aggregator did not announce its endpoints" >&2; return 1; }
}

stop_aggregator_on_exit() { # AGG_PID stopped and WORK removed (unless given) on exit; INT/TERM exit 130
  AGG_PID=""
  trap 'stop_pid "$AGG_PID"; if [ "$KEEP_WORK" = 0 ]; then rm -rf "$WORK"; fi' EXIT
  trap 'exit 130' INT TERM
}

start_nginx_with() { # location-block -> SERVER_PID: nginx on $PORT, 1 worker, access log on, in $WORK/nginx
  local dir="$WORK/nginx"
  mkdir -p "$dir/logs" "$dir/tmp"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log $dir/logs/access.log combined;
    keepalive_requests 1000000;
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$PORT;
        $1
    }
}
CONF
  rm -f "$dir/logs/access.log"
  nginx -t -p "$dir" -c "$dir/nginx.conf" >/dev/null 2>&1 || nginx -t -p "$dir" -c "$dir/nginx.conf"
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>>"$dir/logs/stderr" &
  SERVER_PID=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$PORT/" 2>/dev/null && return 0; sleep 0.1; done
  echo "nginx did not start" >&2; return 1
}
