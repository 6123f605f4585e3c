#!/usr/bin/env bash
# Side-by-side benchmark of ng relays on a 2-core box: relay pinned to core 1, generator pinned to core 0.
#
#   perf/bench-relay.sh                       # all relays, defaults below
#   BENCH_RELAYS="rtpengine" perf/bench-relay.sh
#   BENCH_CALLS=500 BENCH_DURATION=10 BENCH_FIND_MAX=0 perf/bench-relay.sh
#
# For every relay: 1000 calls at real pace (50 pps per direction = 100k pps) for BENCH_DURATION seconds, then
# `--find-max` (fresh calls per probe), then `tandem perf ng`. Prints a Markdown table; raw JSON stays in $OUT.
# A relay that cannot run here (tandem without the `relay` subcommand, rtpengine not installed) gets a
# "skipped" row instead of failing the whole run. Every relay process is stopped on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TANDEM="${TANDEM:-$ROOT/.build/release/tandem}"
RELAYS="${BENCH_RELAYS:-tandem-uring tandem-mmsg rtpengine}"
CALLS="${BENCH_CALLS:-1000}"
DURATION="${BENCH_DURATION:-20}"
FIND_MAX="${BENCH_FIND_MAX:-1}"
PROBES="${BENCH_PROBES:-6}"
PROBE_DURATION="${BENCH_PROBE_DURATION:-5}"
NG_DURATION="${BENCH_NG_DURATION:-10}"
NG_PORT="${BENCH_NG_PORT:-2299}"
RELAY_CPU="${BENCH_RELAY_CPU:-1}"
GEN_CPU="${BENCH_GEN_CPU:-0}"
OUT="${BENCH_OUT:-/tmp/tandem-bench-$$}"
mkdir -p "$OUT"

command -v jq >/dev/null || { echo "bench: needs jq (scripts/install-deps.sh)" >&2; exit 1; }
if [ ! -x "$TANDEM" ]; then
  echo "bench: building $TANDEM" >&2
  (cd "$ROOT" && swift build -c release >/dev/null)
fi

relay_pid=""
stop_relay() {
  if [ -n "$relay_pid" ] && kill -0 "$relay_pid" 2>/dev/null; then
    kill "$relay_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$relay_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$relay_pid" 2>/dev/null || true
  fi
  relay_pid=""
}
trap stop_relay EXIT INT TERM

ng_ping() {  # ng ping over UDP without extra tools: bash's /dev/udp plus a bounded read
  timeout 1 bash -c "exec 3<>/dev/udp/127.0.0.1/$NG_PORT; printf 'p1 d7:command4:pinge' >&3; dd bs=512 count=1 status=none <&3" 2>/dev/null | grep -q pong
}

tandem_has_relay() { "$TANDEM" --help 2>/dev/null | awk '/SUBCOMMANDS/{s=1} s && $1=="relay"{f=1} END{exit !f}'; }

# start_relay NAME -> sets relay_pid, or returns 1 with a reason in $skip_reason
start_relay() {
  local name="$1" log="$OUT/$1.log"
  skip_reason=""
  case "$name" in
    tandem-uring|tandem-mmsg)
      tandem_has_relay || { skip_reason="tandem has no relay subcommand (not merged yet)"; return 1; }
      taskset -c "$RELAY_CPU" "$TANDEM" relay --interface 127.0.0.1 --listen-ng "127.0.0.1:$NG_PORT" \
        --port-min 30000 --port-max 39999 --io-engine "${name#tandem-}" --num-threads 1 --kernel off --delete-delay 0 >"$log" 2>&1 &
      relay_pid=$! ;;
    rtpengine)
      command -v rtpengine >/dev/null || { skip_reason="rtpengine not installed"; return 1; }
      taskset -c "$RELAY_CPU" rtpengine --config-file=none --foreground --table=-1 --interface=127.0.0.1 \
        --listen-ng="127.0.0.1:$NG_PORT" --port-min=30000 --port-max=39999 --num-threads=2 --delete-delay=0 \
        --log-stderr --log-level=3 >"$log" 2>&1 &
      relay_pid=$! ;;
    *) skip_reason="unknown relay"; return 1 ;;
  esac
  for _ in $(seq 1 50); do ng_ping && return 0; sleep 0.1; done
  skip_reason="no ng pong on 127.0.0.1:$NG_PORT (see $log)"
  stop_relay
  return 1
}

rows=()
ngrows=()
for name in $RELAYS; do
  echo "bench: $name" >&2
  if ! start_relay "$name"; then
    rows+=("| $name | skipped: $skip_reason | | | | | | |")
    ngrows+=("| $name | skipped | | | | |")
    continue
  fi
  rtp="$OUT/$name-rtp.json"
  "$TANDEM" perf rtp --relay "127.0.0.1:$NG_PORT" --calls "$CALLS" --duration "$DURATION" --cpu "$GEN_CPU" \
    --relay-pid "$relay_pid" --json >"$rtp" || echo '{}' >"$rtp"
  maxrate="-"
  if [ "$FIND_MAX" = "1" ]; then
    fm="$OUT/$name-findmax.json"
    "$TANDEM" perf rtp --relay "127.0.0.1:$NG_PORT" --calls "$CALLS" --duration "$PROBE_DURATION" --cpu "$GEN_CPU" \
      --relay-pid "$relay_pid" --find-max --max-probes "$PROBES" --json >"$fm" || echo '{}' >"$fm"
    maxrate=$(jq -r 'if .maxRate then (.maxRate|floor|tostring) else "none" end' "$fm")
  fi
  ng="$OUT/$name-ng.json"
  "$TANDEM" perf ng --relay "127.0.0.1:$NG_PORT" --duration "$NG_DURATION" --cpu "$GEN_CPU" \
    --relay-pid "$relay_pid" --json >"$ng" || echo '{}' >"$ng"
  stop_relay
  rows+=("$(jq -r --arg n "$name" --arg m "$maxrate" '"| \($n) | \(.sentPps // 0 | floor) | " +
      "\(if .relayCPUPercentPer10kPps then (.relayCPUPercentPer10kPps*100|round/100|tostring) + "%" else "-" end) | " +
      "\(.latencyP99Microseconds // 0 | round) | \((.lossFraction // 0)*100*1000|round/1000)% | \(.misrouted // "-") | " +
      "\($m) | \(if .generatorBound then "generator-bound" else "ok" end) |"' "$rtp")")
  ngrows+=("$(jq -r --arg n "$name" '"| \($n) | \(.callsPerSecond // 0 | floor) | " +
      "\((.latency // [] | map(select(.command=="offer"))[0].p99Microseconds) // 0 | round) | " +
      "\((.latency // [] | map(select(.command=="all"))[0].p99Microseconds) // 0 | round) | " +
      "\(.errorReplies // "-") | \(.timeouts // "-") |"' "$ng")")
done

echo
echo "### RTP: $CALLS calls, real pace, ${DURATION}s (relay on CPU $RELAY_CPU, generator on CPU $GEN_CPU)"
echo
echo "| relay | sent pps | relay CPU per 10k pps | p99 us | loss | misrouted | find-max pps | generator |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "### ng: offer+answer+delete, 16 in flight, ${NG_DURATION}s"
echo
echo "| relay | calls/s | offer p99 us | all p99 us | error replies | timeouts |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${ngrows[@]}"
echo
echo "raw JSON: $OUT"
