#!/usr/bin/env bash
# Kamailio's side of the keepalive benchmark (issue 6): the CPU that Debian's Kamailio (nathelper, SIP pings,
# usrloc in memory) spends keeping N NATed UDP bindings alive at the same interval as perf/sip/bench-keepalive.sh
# measures for `tandem signaling`. Same responder, same cores: Kamailio (all its processes) on BENCH_PROXY_CPU (1),
# SIPp and the responder on BENCH_SIPP_CPU (0).
#
#   perf/sip/bench-keepalive-kamailio.sh                 # 100,000 bindings, 20 s interval, 40 s measured
#
# Steps: start Kamailio with perf/kamailio/kamailio-keepalive.cfg; SIPp registers N users from one socket with a
# private Contact (perf/sip/register-nat.xml), so every binding is NATed and pinged at that socket; SIPp exits and
# the responder (perf/sip/keepalive_lab.py respond) takes its port and answers every OPTIONS; after one interval to
# settle, the CPU of every Kamailio process (utime+stime) is read over the measured window.
# Difference from the tandem run: there each binding has its own source address (127.x.y.z); here all share
# SIPp's, so Kamailio's pings all go to one address (the same number of packets and replies).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BINDINGS="${BENCH_BINDINGS:-100000}"
INTERVAL="${BENCH_INTERVAL:-20}"
SECONDS_MEASURED="${BENCH_SECONDS:-40}"
PROXY_CPU="${BENCH_PROXY_CPU:-1}"
SIPP_CPU="${BENCH_SIPP_CPU:-0}"
EDGE_PORT="${BENCH_EDGE_PORT:-5070}"
PHONE_PORT="${BENCH_PHONE_PORT:-5090}"
REG_RATE="${BENCH_REG_RATE:-10000}"
OUT="${BENCH_OUT:-/tmp/kamailio-kabench-$$}"
LAB="$ROOT/perf/sip/keepalive_lab.py"
mkdir -p "$OUT/run"
command -v kamailio >/dev/null || { echo "bench: needs kamailio (apt-get install kamailio)" >&2; exit 1; }
command -v sipp >/dev/null || { echo "bench: needs sipp (apt-get install sip-tester)" >&2; exit 1; }

kam_pgid=""
responder_pid=""
cleanup() {
  [ -n "$responder_pid" ] && kill "$responder_pid" 2>/dev/null || true
  if [ -n "$kam_pgid" ]; then
    kill -TERM -- "-$kam_pgid" 2>/dev/null || true
    for _ in $(seq 1 50); do pgrep -g "$kam_pgid" >/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$kam_pgid" 2>/dev/null || true
  fi
}
trap cleanup EXIT INT TERM

# CPU ticks of every process in Kamailio's process group (the main process forks its workers and timers).
group_ticks() { local t=0; for p in $(pgrep -g "$kam_pgid"); do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0))); done; echo "$t"; }

setsid taskset -c "$PROXY_CPU" kamailio -f "$ROOT/perf/kamailio/kamailio-keepalive.cfg" -DD -E -m 512 -Y "$OUT/run" \
  -A "LISTEN_ADDR=udp:127.0.0.1:$EDGE_PORT" -A "INTERVAL=$INTERVAL" >"$OUT/kamailio.log" 2>&1 &
kam_pgid=$!
sleep 1
kill -0 "$kam_pgid" 2>/dev/null || { echo "bench: kamailio did not start (see $OUT/kamailio.log)" >&2; exit 1; }

awk -v n="$BINDINGS" 'BEGIN { print "SEQUENTIAL"; for (i = 0; i < n; i++) printf "u%06d;example.com\n", i }' >"$OUT/users.csv"
reg_start=$(date +%s.%N)
taskset -c "$SIPP_CPU" sipp -sf "$ROOT/perf/sip/register-nat.xml" -inf "$OUT/users.csv" -i 127.0.0.1 -p "$PHONE_PORT" \
  -r "$REG_RATE" -m "$BINDINGS" -l 5000 -nostdin -bg -trace_stat -stf "$OUT/register.csv" \
  "127.0.0.1:$EDGE_PORT" >"$OUT/sipp.out" 2>&1 || true
# -bg returns at once: wait for SIPp to finish its calls.
for _ in $(seq 1 $((BINDINGS / REG_RATE * 10 + 300))); do pgrep -f "sipp -sf $ROOT/perf/sip/register-nat.xml" >/dev/null || break; sleep 0.1; done
pkill -f "sipp -sf $ROOT/perf/sip/register-nat.xml" 2>/dev/null || true
reg_end=$(date +%s.%N)
ok=$(tail -1 "$OUT/register.csv" | awk -F';' '{print $16}' 2>/dev/null || echo "?")   # SuccessfulCall(C)
failed=$(tail -1 "$OUT/register.csv" | awk -F';' '{print $18}' 2>/dev/null || echo "?")  # FailedCall(C)

taskset -c "$SIPP_CPU" python3 "$LAB" respond "$PHONE_PORT" $((SECONDS_MEASURED + INTERVAL + 10)) >"$OUT/responder.out" &
responder_pid=$!
sleep "$INTERVAL"
hz=$(getconf CLK_TCK)
ticks0=$(group_ticks); t0=$(date +%s.%N)
sleep "$SECONDS_MEASURED"
ticks1=$(group_ticks); t1=$(date +%s.%N)
processes=$(pgrep -g "$kam_pgid" | wc -l)
# The responder prints its count when its time is up (a few seconds after the window).
wait "$responder_pid" 2>/dev/null || true
responder_pid=""
answered=$(cat "$OUT/responder.out" 2>/dev/null || echo 0)
cleanup
kam_pgid=""

awk -v n="$BINDINGS" -v ok="$ok" -v failed="$failed" -v rs="$reg_start" -v re="$reg_end" -v tk0="$ticks0" \
    -v tk1="$ticks1" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v ans="$answered" -v iv="$INTERVAL" \
    -v total=$((SECONDS_MEASURED + INTERVAL + 10)) -v procs="$processes" 'BEGIN {
  wall = t1 - t0; cpu = (tk1 - tk0) / hz / wall * 100
  printf "| bindings | registered (failed) | interval | pings answered/s (whole responder run) | Kamailio CPU (%d processes) |\n", procs
  printf "|---:|---:|---:|---:|---:|\n"
  printf "| %d | %s (%s) in %.1f s | %d s | %.0f | %.1f%% of a core |\n", n, ok, failed, re - rs, iv, ans / total, cpu
}'
echo "raw: $OUT"
