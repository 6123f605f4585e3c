#!/usr/bin/env bash
# Presence side by side: `tandem signaling` vs Kamailio 5.6 presence + presence_xml, same SIPp scenarios,
# proxy pinned to core 1, SIPp to core 0 (2-core box).
#
#   perf/bench-presence.sh                               # both, alternating: tandem, kamailio, tandem, kamailio
#   BENCH_PROXIES=tandem BENCH_ROUNDS=1 perf/bench-presence.sh
#
# Per round and proxy:
#   1. SUBSCRIBE/s: BENCH_SUBS (9000) watchers, each to its own presentity (perf/sip/presence-subscribe.xml), at
#      BENCH_SUB_RATE/s: wall time until the last one got its first NOTIFY, and the failed calls.
#   2. Fan-out: BENCH_WATCHERS (1000) more watchers of ONE presentity (perf/sip/presence-watch.xml) — 10,000
#      subscriptions live in total — then one PUBLISH (perf/sip/presence-publish.xml): time from starting the
#      PUBLISH to the watcher SIPp process exiting, i.e. the last watcher got its NOTIFY (includes ~10 ms of SIPp
#      start-up, the same for both).
# Kamailio runs perf/kamailio/kamailio-presence.cfg (subscriptions and presentities in memory); tandem runs with
# its defaults (presence on, presence.sqlite written in the background). Prints a Markdown table; logs in $OUT.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${TANDEM:-}" ]; then
  TANDEM="$ROOT/.build/release/tandem"
  [ -x "$TANDEM" ] || TANDEM="$ROOT/.build/debug/tandem"
fi
PROXIES="${BENCH_PROXIES:-tandem kamailio}"
ROUNDS="${BENCH_ROUNDS:-2}"
SUBS="${BENCH_SUBS:-9000}"
SUB_RATE="${BENCH_SUB_RATE:-2000}"
WATCHERS="${BENCH_WATCHERS:-1000}"
WORKERS="${BENCH_WORKERS:-4}"
PROXY_CPU="${BENCH_PROXY_CPU:-1}"
SIPP_CPU="${BENCH_SIPP_CPU:-0}"
PROXY_PORT="${BENCH_PROXY_PORT:-5070}"
OUT="${BENCH_OUT:-/tmp/tandem-presbench-$$}"
KAMDB=/tmp/tandem-presbench-kamdb   # fixed: perf/kamailio/kamailio-presence.cfg names it
mkdir -p "$OUT"
command -v sipp >/dev/null || { echo "bench: needs sipp" >&2; exit 1; }
[ -x "$TANDEM" ] || { echo "bench: build tandem first (swift build -c release)" >&2; exit 1; }

proxy_pid=""
stop_proxy() {
  if [ -n "$proxy_pid" ]; then
    kill -TERM -- "-$proxy_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$proxy_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$proxy_pid" 2>/dev/null || true
  fi
  proxy_pid=""
}
trap stop_proxy EXIT INT TERM
listening() { ss -Hlun "sport = :$PROXY_PORT" 2>/dev/null | grep -q .; }

start_proxy() {  # start_proxy NAME ROUND
  local log="$OUT/$1-$2.log"
  for _ in $(seq 1 50); do listening || break; sleep 0.1; done  # the previous proxy's socket closing
  listening && { echo "bench: port $PROXY_PORT busy" >&2; return 1; }
  case "$1" in
    kamailio)
      command -v kamailio >/dev/null && [ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/presence.so ] ||
        { echo "bench: needs kamailio-presence-modules" >&2; return 1; }
      rm -rf "$KAMDB" && mkdir -p "$KAMDB" "$OUT/kamailio-run" && cp /usr/share/kamailio/dbtext/kamailio/* "$KAMDB/"
      setsid taskset -c "$PROXY_CPU" kamailio -f "$ROOT/perf/kamailio/kamailio-presence.cfg" -DD -E -m "${BENCH_KAM_SHM_MB:-512}" -Y "$OUT/kamailio-run" \
        -A "LISTEN_ADDR=udp:127.0.0.1:$PROXY_PORT" -A "WORKERS=$WORKERS" >"$log" 2>&1 &
      proxy_pid=$! ;;
    tandem)
      rm -rf "$OUT/tandem-data"
      setsid taskset -c "$PROXY_CPU" "$TANDEM" signaling --listen "udp:127.0.0.1:$PROXY_PORT" --no-keepalive \
        --admin "" --data-dir "$OUT/tandem-data" >"$log" 2>&1 &
      proxy_pid=$! ;;
  esac
  for _ in $(seq 1 50); do listening && { sleep 0.3; return 0; }; sleep 0.1; done
  stop_proxy; return 1
}

now() { date +%s.%N; }
rows=()
for round in $(seq 1 "$ROUNDS"); do
  for name in $PROXIES; do
    echo "bench: round $round $name" >&2
    start_proxy "$name" "$round" || { rows+=("| $name | $round | skipped | | | | |"); continue; }
    # 1. SUBSCRIBE/s (foreground: sipp exits when all calls ended).
    t0=$(now)
    set +e
    taskset -c "$SIPP_CPU" sipp "127.0.0.1:$PROXY_PORT" -sf "$ROOT/perf/sip/presence-subscribe.xml" -s p -r "$SUB_RATE" \
      -m "$SUBS" -i 127.0.0.1 -p 5091 -nostdin -timeout 60s -timeout_error -trace_stat \
      -stf "$OUT/$name-$round-subscribe.csv" >/dev/null 2>"$OUT/$name-$round-subscribe.err"
    subrc=$?
    t1=$(now)
    failed=$(awk -F';' 'NR==1{for(i=1;i<=NF;i++) if($i=="FailedCall(C)") c=i} END{print (c ? $c : "?")}' \
      "$OUT/$name-$round-subscribe.csv" 2>/dev/null || echo "?")
    # 2. 1000 watchers of "bob", then one PUBLISH.
    taskset -c "$SIPP_CPU" sipp "127.0.0.1:$PROXY_PORT" -sf "$ROOT/perf/sip/presence-watch.xml" -s bob -r 1000 \
      -m "$WATCHERS" -i 127.0.0.1 -p 5092 -nostdin -timeout 60s -timeout_error >/dev/null 2>"$OUT/$name-$round-watch.err" &
    watch_pid=$!
    sleep $(( WATCHERS / 1000 + 3 ))
    p0=$(now)
    taskset -c "$SIPP_CPU" sipp "127.0.0.1:$PROXY_PORT" -sf "$ROOT/perf/sip/presence-publish.xml" -s bob -m 1 -i 127.0.0.1 \
      -p 5093 -nostdin -timeout 10s -timeout_error >/dev/null 2>&1
    pubrc=$?
    wait "$watch_pid"
    watchrc=$?
    p1=$(now)
    set -e
    # utime+stime of every process of the proxy's session (Kamailio's workers included), in seconds.
    cpu=$(for p in $(ps -s "$proxy_pid" -o pid= 2>/dev/null); do awk '{print $14+$15}' "/proc/$p/stat" 2>/dev/null; done |
      awk -v hz="$(getconf CLK_TCK)" '{s+=$1} END{printf "%.2f", s/hz}')
    stop_proxy
    rows+=("| $name | $round | $(awk -v a="$t0" -v b="$t1" -v n="$SUBS" 'BEGIN{printf "%.0f", n/(b-a)}') (rc $subrc, failed ${failed:-?}) | $(awk -v a="$p0" -v b="$p1" 'BEGIN{printf "%.0f", (b-a)*1000}') ms (publish rc $pubrc, watchers rc $watchrc) | ${cpu} s |")
  done
done
echo
echo "### Presence: $SUBS SUBSCRIBEs at $SUB_RATE/s, then $WATCHERS watchers of one presentity + 1 PUBLISH (proxy CPU $PROXY_CPU, SIPp CPU $SIPP_CPU)"
echo
echo "| proxy | round | SUBSCRIBE/s achieved (all answered + first NOTIFY) | PUBLISH → last of $WATCHERS NOTIFYs | proxy CPU time, whole run |"
echo "|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "logs: $OUT"
