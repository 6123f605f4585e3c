#!/usr/bin/env bash
# Memory per N bindings and keepalive CPU of `tandem signaling` (issue 6): N NATed UDP bindings are written into
# the location file (perf/sip/keepalive_lab.py seed), the edge loads them at start and pings each one every
# interval with an OPTIONS from its socket; a responder on the same box answers every ping (200 OK).
#
#   perf/sip/bench-keepalive.sh                          # 100,000 bindings, 20 s interval, 40 s measured
#   BENCH_BINDINGS=10000 BENCH_SECONDS=20 perf/sip/bench-keepalive.sh
#
# Prints: RSS with 0 and with N bindings (from /proc/PID/status VmRSS after load and after the run), the CPU of
# the edge over the measured window (utime+stime from /proc/PID/stat), pings sent/lost (admin /metrics).
# The edge runs on BENCH_PROXY_CPU (1), the responder on BENCH_SIPP_CPU (0).
#
#   BENCH_FLOOR=1 perf/sip/bench-keepalive.sh            # then the same traffic from perf/sip/keepalive_floor.c
#
# The floor: a small C program sends the same pings and reads the replies the same way with nothing else (no SIP
# logic), against the same responder on the same cores; no keepalive implementation on this machine can cost less.
# perf/sip/bench-keepalive-kamailio.sh measures Debian's Kamailio (nathelper) on the same load.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TANDEM="${TANDEM:-$ROOT/.build/release/tandem}"
BINDINGS="${BENCH_BINDINGS:-100000}"
INTERVAL="${BENCH_INTERVAL:-20}"
SECONDS_MEASURED="${BENCH_SECONDS:-40}"
PROXY_CPU="${BENCH_PROXY_CPU:-1}"
RESPONDER_CPU="${BENCH_SIPP_CPU:-0}"
EDGE_PORT="${BENCH_EDGE_PORT:-5070}"
PHONE_PORT="${BENCH_PHONE_PORT:-5090}"
ADMIN="127.0.0.1:${BENCH_ADMIN_PORT:-9194}"
OUT="${BENCH_OUT:-/tmp/tandem-kabench-$$}"
LAB="$ROOT/perf/sip/keepalive_lab.py"
mkdir -p "$OUT"
[ -x "$TANDEM" ] || { echo "bench: build first: swift build -c release --product tandem" >&2; exit 1; }

edge_pid=""
responder_pid=""
cleanup() {
  [ -n "$responder_pid" ] && kill "$responder_pid" 2>/dev/null || true
  if [ -n "$edge_pid" ]; then
    kill -TERM "$edge_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$edge_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$edge_pid" 2>/dev/null || true
  fi
  edge_pid=""
}
trap cleanup EXIT INT TERM

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
metric() { curl -s "http://$ADMIN/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

# start_edge DATA_DIR -> edge_pid; waits until the admin listener answers (bindings are loaded before it binds).
start_edge() {
  taskset -c "$PROXY_CPU" "$TANDEM" signaling --listen "udp:127.0.0.1:$EDGE_PORT" --admin "$ADMIN" \
    --data-dir "$1" --keepalive-interval "$INTERVAL" >"$OUT/edge.log" 2>&1 &
  edge_pid=$!
  for _ in $(seq 1 300); do curl -s -o /dev/null "http://$ADMIN/counts" && return 0; sleep 0.1; done
  echo "bench: the edge did not start (see $OUT/edge.log)" >&2; exit 1
}

# Baseline: an empty location.
mkdir -p "$OUT/empty"
start_edge "$OUT/empty"
sleep 1
rss_empty=$(rss_kb "$edge_pid")
cleanup

# N bindings.
mkdir -p "$OUT/full"
python3 "$LAB" seed "$OUT/full/location.sqlite" "$BINDINGS" "$PHONE_PORT"
taskset -c "$RESPONDER_CPU" python3 "$LAB" respond "$PHONE_PORT" $((SECONDS_MEASURED + INTERVAL + 10)) >"$OUT/responder.out" &
responder_pid=$!
start_edge "$OUT/full"
rss_loaded=$(rss_kb "$edge_pid")
# One interval to settle (the first round of pings), then the measured window.
sleep "$INTERVAL"
hz=$(getconf CLK_TCK)
ticks0=$(cpu_ticks "$edge_pid"); sent0=$(metric tandem_sip_keepalive_pings_sent_total); lost0=$(metric tandem_sip_keepalive_pings_lost_total)
t0=$(date +%s.%N)
sleep "$SECONDS_MEASURED"
ticks1=$(cpu_ticks "$edge_pid"); sent1=$(metric tandem_sip_keepalive_pings_sent_total); lost1=$(metric tandem_sip_keepalive_pings_lost_total)
t1=$(date +%s.%N)
rss_after=$(rss_kb "$edge_pid")
tracked=$(metric tandem_sip_keepalive_tracked)
cleanup

awk -v n="$BINDINGS" -v e="$rss_empty" -v l="$rss_loaded" -v a="$rss_after" -v tk0="$ticks0" -v tk1="$ticks1" \
    -v hz="$hz" -v t0="$t0" -v t1="$t1" -v s0="$sent0" -v s1="$sent1" -v l0="$lost0" -v l1="$lost1" \
    -v tr="$tracked" -v iv="$INTERVAL" 'BEGIN {
  wall = t1 - t0; cpu = (tk1 - tk0) / hz / wall * 100
  printf "| bindings | interval | RSS empty | RSS loaded | RSS after run | per 100k bindings | pings/s | lost | edge CPU |\n"
  printf "|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
  printf "| %d (tracked %d) | %d s | %.1f MiB | %.1f MiB | %.1f MiB | %.1f MiB | %.0f | %d | %.1f%% of a core |\n",
    n, tr, iv, e/1024, l/1024, a/1024, (a - e) / 1024 * 100000 / n, (s1 - s0) / wall, l1 - l0, cpu
}'
if [ "${BENCH_FLOOR:-0}" = 1 ]; then
  cc -O2 -o "$OUT/keepalive_floor" "$ROOT/perf/sip/keepalive_floor.c"
  taskset -c "$RESPONDER_CPU" python3 "$LAB" respond "$PHONE_PORT" $((SECONDS_MEASURED + INTERVAL + 5)) >"$OUT/floor-responder.out" &
  responder_pid=$!
  sleep 0.5
  taskset -c "$PROXY_CPU" "$OUT/keepalive_floor" "$EDGE_PORT" "$PHONE_PORT" "$BINDINGS" "$INTERVAL" "$INTERVAL" \
    "$SECONDS_MEASURED"
  kill "$responder_pid" 2>/dev/null || true
  responder_pid=""
fi
echo "raw: $OUT"
