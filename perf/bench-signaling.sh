#!/usr/bin/env bash
# Side-by-side SIP benchmark on a 2-core box: proxy pinned to core 1, SIPp pinned to core 0, same scenarios
# (perf/sip/register.xml, perf/sip/uac-calls.xml + uas-calls.xml) driven by `tandem perf sip`.
#
#   perf/bench-signaling.sh                           # kamailio and tandem signaling (skipped when not built in)
#   BENCH_PROXIES=kamailio BENCH_REG_RATE=3000 perf/bench-signaling.sh
#   BENCH_PROXIES="kamailio tandem tandem-sqlite" BENCH_CALLS=0 BENCH_FIND_MAX=1 perf/bench-signaling.sh  # REGISTER only
#   TANDEM=/tmp/tandem-base perf/bench-signaling.sh   # another build (e.g. the previous one, for an A/B run)
#
# Knobs: BENCH_USERS (10000), BENCH_REG_RATE (2000/s), BENCH_CALL_RATE (500/s), BENCH_DURATION (10 s),
# BENCH_WORKERS (Kamailio's UDP workers, 4), BENCH_FIND_MAX=1 (also search the max sustained rates, BENCH_PROBES
# runs each, ceiling BENCH_RATE_MAX, default 40000/s), BENCH_CALLS=0 (skip the calls scenario of the registrar
# proxies: REGISTER only).
#   BENCH_PROXIES="kamailio-dispatcher tandem-dispatcher" perf/bench-signaling.sh   # calls only, 2 backends
#   BENCH_PROXIES="kamailio-rtpengine tandem-steering" perf/bench-signaling.sh      # dispatcher + media steering
#
# Proxies:
#   kamailio  Debian's Kamailio with perf/kamailio/kamailio-registrar.cfg (usrloc in memory, no auth,
#             BENCH_WORKERS UDP workers), foreground (-DD -E) with its runtime dir in $OUT.
#   tandem    `tandem signaling` when `tandem --help` lists it; its arguments come from TANDEM_SIGNALING_ARGS
#             (listen on $PROXY_ADDR, farm backend = the SIPp UAS on $UAS_ADDR) plus `--location-store memory`:
#             bindings in memory only, like Kamailio's usrloc db_mode 0 (skipped by a tandem without that flag).
#   tandem-sqlite  the same with `--location-store sqlite`, the default: every binding also written to
#             location.sqlite by the writer thread (a tandem without the flag runs with its default, sqlite).
#   kamailio-dispatcher  perf/kamailio/kamailio-dispatcher.cfg: tm + dispatcher, round robin over two SIPp UAS
#             ($UAS_PORT and $UAS_PORT+1), failover on 5xx/timeout. Calls only.
#   tandem-dispatcher    `tandem signaling --config` with a round-robin dispatcher set over the same two UAS
#             (probe_active off, like Kamailio's ds_ping_interval 0). Calls only.
#   kamailio-rtpengine   kamailio-dispatcher.cfg with -A WITH_RTPENGINE: the same dispatcher plus rtpengine_offer/
#             answer/delete to Debian's rtpengine (userspace, --table=-1) on 127.0.0.1:$BENCH_NG_PORT. Calls only.
#   tandem-steering      the tandem-dispatcher config plus `media:` (policy always) to a `tandem relay` (userspace,
#             one thread). Calls only.
#   tandem-steering-rtpengine  the same tandem signaling config, steering to rtpengine instead (the mixed pair).
#   The relay runs on the proxy's core (BENCH_PROXY_CPU). Its CPU is read from /proc/<pid>/stat around the run and
#   reported per 1k calls/s (CPU seconds per call x 1e5), next to the proxy's and summed. After the run the relay's
#   ng `statistics` reply is saved to $OUT/<name>-relay-statistics.txt: it shows that the SDP went through it.
# Each proxy runs in its own session/process group and the whole group is killed afterwards: Kamailio's forked
# workers otherwise outlive the main process. Prints Markdown tables; raw JSON stays in $OUT.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
if [ -z "${TANDEM:-}" ]; then
  TANDEM="$ROOT/.build/release/tandem"
  [ -x "$TANDEM" ] || TANDEM="$ROOT/.build/debug/tandem"
fi
PROXIES="${BENCH_PROXIES:-kamailio tandem tandem-sqlite}"
USERS="${BENCH_USERS:-10000}"
REG_RATE="${BENCH_REG_RATE:-2000}"
CALL_RATE="${BENCH_CALL_RATE:-500}"
DURATION="${BENCH_DURATION:-10}"
WORKERS="${BENCH_WORKERS:-4}"
FIND_MAX="${BENCH_FIND_MAX:-0}"
RATE_MAX="${BENCH_RATE_MAX:-40000}"
CALLS="${BENCH_CALLS:-1}"
PROXY_CPU="${BENCH_PROXY_CPU:-1}"
SIPP_CPU="${BENCH_SIPP_CPU:-0}"
PROXY_ADDR="${BENCH_PROXY_ADDR:-127.0.0.1:5070}"
UAS_PORT="${BENCH_UAS_PORT:-5080}"
UAS_ADDR="127.0.0.1:$UAS_PORT"
NG_PORT="${BENCH_NG_PORT:-22230}"
OUT="${BENCH_OUT:-/tmp/tandem-sigbench-$$}"
TANDEM_SIGNALING_ARGS="${TANDEM_SIGNALING_ARGS:-signaling --listen udp:$PROXY_ADDR --farm sip:$UAS_ADDR --no-keepalive --admin 127.0.0.1:9193 --data-dir $OUT/tandem-signaling-data}"
mkdir -p "$OUT"

command -v jq >/dev/null || { echo "bench: needs jq (scripts/install-deps.sh)" >&2; exit 1; }
command -v sipp >/dev/null || { echo "bench: needs sipp (apt-get install sip-tester)" >&2; exit 1; }
if [ ! -x "$TANDEM" ]; then
  echo "bench: building $TANDEM" >&2
  (cd "$ROOT" && swift build >/dev/null)
fi

proxy_pid=""
stop_proxy() {
  if [ -n "$proxy_pid" ]; then
    # setsid made the proxy a group leader: signal the whole group (pgid = its pid).
    kill -TERM -- "-$proxy_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$proxy_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$proxy_pid" 2>/dev/null || true
  fi
  proxy_pid=""
}
trap stop_proxy EXIT INT TERM

proxy_port="${PROXY_ADDR##*:}"
listening() { ss -Hlun "sport = :$proxy_port" 2>/dev/null | grep -q .; }

tandem_has_signaling() { "$TANDEM" --help 2>/dev/null | awk '/SUBCOMMANDS/{s=1} s && $1=="signaling"{f=1} END{exit !f}'; }
tandem_has_location_store() { "$TANDEM" signaling --help 2>/dev/null | grep -q -- '--location-store'; }

# start_proxy NAME -> sets proxy_pid, or returns 1 with a reason in $skip_reason
start_proxy() {
  local name="$1" log="$OUT/$1.log"
  skip_reason=""
  if listening; then skip_reason="port $proxy_port already in use"; return 1; fi
  case "$name" in
    kamailio)
      command -v kamailio >/dev/null || { skip_reason="kamailio not installed"; return 1; }
      mkdir -p "$OUT/kamailio-run"
      setsid taskset -c "$PROXY_CPU" kamailio -f "$ROOT/perf/kamailio/kamailio-registrar.cfg" -DD -E \
        -Y "$OUT/kamailio-run" -A "LISTEN_ADDR=udp:$PROXY_ADDR" -A "WORKERS=$WORKERS" >"$log" 2>&1 &
      proxy_pid=$! ;;
    tandem|tandem-sqlite)
      tandem_has_signaling || { skip_reason="this tandem has no signaling subcommand (not merged yet)"; return 1; }
      local store=()
      if tandem_has_location_store; then
        store=(--location-store "$([ "$name" = tandem ] && echo memory || echo sqlite)")
      elif [ "$name" = tandem ]; then
        skip_reason="this tandem has no --location-store (memory) option; see the tandem-sqlite row"; return 1
      fi
      rm -rf "$OUT/tandem-signaling-data"
      # shellcheck disable=SC2086  # word splitting of the argument string is intended
      setsid taskset -c "$PROXY_CPU" "$TANDEM" $TANDEM_SIGNALING_ARGS "${store[@]}" >"$log" 2>&1 &
      proxy_pid=$! ;;
    kamailio-dispatcher)
      command -v kamailio >/dev/null || { skip_reason="kamailio not installed"; return 1; }
      mkdir -p "$OUT/kamailio-run"
      printf '1 sip:127.0.0.1:%s\n1 sip:127.0.0.1:%s\n' "$UAS_PORT" "$((UAS_PORT + 1))" >"$OUT/dispatcher.list"
      setsid taskset -c "$PROXY_CPU" kamailio -f "$ROOT/perf/kamailio/kamailio-dispatcher.cfg" -DD -E -m 512 \
        -Y "$OUT/kamailio-run" -A "LISTEN_ADDR=udp:$PROXY_ADDR" -A "WORKERS=$WORKERS" \
        -A "DS_LIST=\"$OUT/dispatcher.list\"" >"$log" 2>&1 &
      proxy_pid=$! ;;
    kamailio-rtpengine)
      command -v kamailio >/dev/null || { skip_reason="kamailio not installed"; return 1; }
      start_relay rtpengine || return 1
      mkdir -p "$OUT/kamailio-run"
      printf '1 sip:127.0.0.1:%s\n1 sip:127.0.0.1:%s\n' "$UAS_PORT" "$((UAS_PORT + 1))" >"$OUT/dispatcher.list"
      setsid taskset -c "$PROXY_CPU" kamailio -f "$ROOT/perf/kamailio/kamailio-dispatcher.cfg" -DD -E -m 512 \
        -Y "$OUT/kamailio-run" -A "LISTEN_ADDR=udp:$PROXY_ADDR" -A "WORKERS=$WORKERS" \
        -A "DS_LIST=\"$OUT/dispatcher.list\"" -A WITH_RTPENGINE -A "NG_SOCK=\"udp:127.0.0.1:$NG_PORT\"" >"$log" 2>&1 &
      proxy_pid=$! ;;
    tandem-dispatcher|tandem-steering|tandem-steering-rtpengine)
      tandem_has_signaling || { skip_reason="this tandem has no signaling subcommand (not merged yet)"; return 1; }
      local media=""
      case "$name" in
        tandem-steering) start_relay tandem || return 1 ;;
        tandem-steering-rtpengine) start_relay rtpengine || return 1 ;;
      esac
      [ -n "$relay_pid" ] && media="media: { relays: [\"127.0.0.1:$NG_PORT\"], policy: always }"
      cat >"$OUT/$name.yaml" <<YAML
listeners: [{ address: ${PROXY_ADDR%:*}, port: $proxy_port, transport: udp }]
dispatcher:
  probing: { probe_active: false }
  sets: [{ name: fs, algorithm: round-robin, destinations: ["sip:127.0.0.1:$UAS_PORT", "sip:127.0.0.1:$((UAS_PORT + 1))"] }]
keepalive: { enabled: false }
admin: 127.0.0.1:9193
data_dir: $OUT/tandem-dispatcher-data
log_level: warning
$media
YAML
      setsid taskset -c "$PROXY_CPU" "$TANDEM" signaling --config "$OUT/$name.yaml" >"$log" 2>&1 &
      proxy_pid=$! ;;
    *) skip_reason="unknown proxy"; return 1 ;;
  esac
  for _ in $(seq 1 50); do listening && { sleep 0.3; return 0; }; sleep 0.1; done
  skip_reason="nothing listening on $PROXY_ADDR (see $log)"
  stop_proxy
  return 1
}

# perf_sip SCENARIO RATE OUTFILE [extra args] -> JSON report (or {} on failure)
perf_sip() {
  local scenario="$1" rate="$2" out="$3"; shift 3
  "$TANDEM" perf sip "$scenario" --proxy "$PROXY_ADDR" --rate "$rate" --duration "$DURATION" --users "$USERS" \
    --uas-port "$UAS_PORT" --cpu "$SIPP_CPU" --proxy-pid "$proxy_pid" --work-dir "$OUT/$(basename "$out" .json)" \
    --scenarios "$ROOT/perf/sip" --json "$@" >"$out" 2>"$out.err" || true
  jq -e . "$out" >/dev/null 2>&1 || echo '{}' >"$out"
}

row() {  # row NAME FILE -> Markdown row of a single run
  jq -r --arg n "$1" '"| \($n) | \(.targetRate // 0 | floor) | \(.statistics.callRate // 0 | .*10|round/10) | " +
    "\(.statistics.successfulCalls // "-") | \(.statistics.failedCalls // "-") | \(.statistics.retransmissions // "-") | " +
    "\([.responseTimes.timers // {} | to_entries[] | "\(.key) \(.value.p50Milliseconds)/\(.value.p99Milliseconds)"] | join(", ")) | " +
    "\(if .proxyCPUPercent then (.proxyCPUPercent|.*10|round/10|tostring) + "%" else "-" end) | " +
    "\(if .proxyCPUPercentPer1kPerSecond then (.proxyCPUPercentPer1kPerSecond|.*10|round/10|tostring) + "%" else "-" end) | " +
    "\(if .sippCPUPercent then (.sippCPUPercent|round|tostring) + "%" + (if .sippCPUPercent >= 90 then " (generator-bound)" else "" end) else "-" end) |"' "$2"
}

# The second backend of the dispatcher runs (the first is the UAS `tandem perf sip` starts), on SIPp's core.
uas2_pid=""
start_uas2() {
  setsid taskset -c "$SIPP_CPU" sipp -sf "$ROOT/perf/sip/uas-calls.xml" -i 127.0.0.1 -p "$((UAS_PORT + 1))" -nostdin \
    -buff_size 4194304 -l 200000 >"$OUT/uas2.log" 2>&1 &
  uas2_pid=$!
  sleep 0.3
}
stop_uas2() {
  [ -n "$uas2_pid" ] && { kill -TERM -- "-$uas2_pid" 2>/dev/null || true; sleep 0.2; kill -KILL -- "-$uas2_pid" 2>/dev/null || true; }
  uas2_pid=""
}

# The ng relay of the steering runs, on the proxy's core (the relay is part of the "proxy" cost being compared).
relay_pid=""
ng_send() {  # ng_send 'd7:command4:pinge' -> the reply (bash /dev/udp, bounded read)
  timeout 1 bash -c "exec 3<>/dev/udp/127.0.0.1/$NG_PORT; printf 'b%s %s' \"$RANDOM$RANDOM\" '$1' >&3; dd bs=65536 count=1 status=none <&3" 2>/dev/null
}
start_relay() {  # start_relay tandem|rtpengine -> relay_pid, or 1 with $skip_reason
  local log="$OUT/relay-$1.log"
  case "$1" in
    tandem)
      setsid taskset -c "$PROXY_CPU" "$TANDEM" relay --interface 127.0.0.1 --listen-ng "127.0.0.1:$NG_PORT" \
        --port-min 30000 --port-max 39999 --num-threads 1 --kernel off --delete-delay 0 --listen-metrics "" >"$log" 2>&1 &
      relay_pid=$! ;;
    rtpengine)
      command -v rtpengine >/dev/null || { skip_reason="rtpengine not installed"; return 1; }
      setsid taskset -c "$PROXY_CPU" rtpengine --config-file=none --foreground --table=-1 --interface=127.0.0.1 \
        --listen-ng="127.0.0.1:$NG_PORT" --port-min=30000 --port-max=39999 --num-threads=1 --delete-delay=0 \
        --log-stderr --log-level=3 --pidfile="$OUT/rtpengine.pid" >"$log" 2>&1 &
      relay_pid=$! ;;
  esac
  for _ in $(seq 1 50); do ng_send 'd7:command4:pinge' | grep -q pong && return 0; sleep 0.1; done
  skip_reason="no ng pong from the $1 relay on 127.0.0.1:$NG_PORT (see $log)"
  stop_relay
  return 1
}
stop_relay() {
  if [ -n "$relay_pid" ]; then
    kill -TERM -- "-$relay_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 -- "-$relay_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$relay_pid" 2>/dev/null || true
  fi
  relay_pid=""
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }  # utime + stime, all threads

trap 'stop_proxy; stop_uas2; stop_relay' EXIT INT TERM

# steer_row NAME FILE RELAY_TICKS STATS -> proxy, relay and summed CPU per 1k calls/s, relay's ng counters
steer_row() {
  local hz calls relay_s relay1k proxy1k offers
  hz=$(getconf CLK_TCK)
  calls=$(jq -r '.statistics.successfulCalls // 0' "$2")
  relay_s=$(awk -v t="$3" -v hz="$hz" 'BEGIN{printf "%.2f", t / hz}')
  relay1k=$(awk -v s="$relay_s" -v c="$calls" 'BEGIN{if (c > 0) printf "%.1f", s / c * 100000; else print "-"}')
  proxy1k=$(jq -r '.proxyCPUPercentPer1kPerSecond // empty | .*10|round/10' "$2")
  # Sessions the relay managed and saw deleted, from its ng `statistics` reply (rtpengine's totalstatistics names;
  # tandem relay answers with the same ones): calls x 1 session each when every INVITE's SDP went through it.
  offers=$(grep -ao '\(managedsessions\|regularterminatedsessions\)i[0-9]*e' "$4" | sed 's/i\([0-9]*\)e$/ \1/' | awk '!s[$1]++' | tr '\n' ' ')
  echo "| $1 | $(jq -r '.statistics.callRate // 0 | .*10|round/10' "$2") | $calls | ${proxy1k:--}% | ${relay1k}% ($relay_s s) | $(awk -v a="${proxy1k:-0}" -v b="$relay1k" 'BEGIN{printf "%.1f", a + b}')% | ${offers:-see $4} |"
}

regrows=()
callrows=()
steerrows=()
maxrows=()
for name in $PROXIES; do
  echo "bench: $name" >&2
  if ! start_proxy "$name"; then
    stop_relay
    regrows+=("| $name | skipped: $skip_reason | | | | | | | | |")
    [ "$CALLS" != "0" ] && callrows+=("| $name | skipped: $skip_reason | | | | | | | | |")
    continue
  fi
  case "$name" in
    *-dispatcher)
      start_uas2
      perf_sip calls "$CALL_RATE" "$OUT/$name-calls.json"
      callrows+=("$(row "$name" "$OUT/$name-calls.json")")
      stop_uas2
      stop_proxy
      continue ;;
    *-rtpengine|*-steering)
      start_uas2
      ticks0=$(cpu_ticks "$relay_pid")
      perf_sip calls "$CALL_RATE" "$OUT/$name-calls.json"
      ticks1=$(cpu_ticks "$relay_pid")
      sleep 0.5  # the last deletes
      ng_send 'd7:command10:statisticse' >"$OUT/$name-relay-statistics.txt" || true
      callrows+=("$(row "$name" "$OUT/$name-calls.json")")
      steerrows+=("$(steer_row "$name" "$OUT/$name-calls.json" "$((ticks1 - ticks0))" "$OUT/$name-relay-statistics.txt")")
      stop_uas2
      stop_proxy
      stop_relay
      continue ;;
  esac
  perf_sip register "$REG_RATE" "$OUT/$name-register.json"
  regrows+=("$(row "$name" "$OUT/$name-register.json")")
  if [ "$CALLS" != "0" ]; then
    perf_sip calls "$CALL_RATE" "$OUT/$name-calls.json"
    callrows+=("$(row "$name" "$OUT/$name-calls.json")")
  fi
  if [ "$FIND_MAX" = "1" ]; then
    perf_sip register "$REG_RATE" "$OUT/$name-register-max.json" --find-max --max-probes "${BENCH_PROBES:-5}" --rate-max "$RATE_MAX"
    callmax="skipped"
    if [ "$CALLS" != "0" ]; then
      perf_sip calls "$CALL_RATE" "$OUT/$name-calls-max.json" --find-max --max-probes "${BENCH_PROBES:-5}" --rate-max "$RATE_MAX"
      callmax=$(jq -r '.maxRate // "none" | tostring | split(".")[0]' "$OUT/$name-calls-max.json")
    fi
    maxrows+=("| $name | $(jq -r '.maxRate // "none" | tostring | split(".")[0]' "$OUT/$name-register-max.json") | $callmax |")
  fi
  stop_proxy
done

header="| proxy | target/s | achieved/s | ok | failed | retrans | p50/p99 ms | proxy CPU | CPU per 1k/s | SIPp UAC CPU |"
sep="|---|---|---|---|---|---|---|---|---|---|"
if [ "${#regrows[@]}" -gt 0 ]; then
  echo
  echo "### REGISTER: $USERS users, ${DURATION}s (proxy on CPU $PROXY_CPU, SIPp on CPU $SIPP_CPU)"
  echo
  echo "$header"; echo "$sep"
  printf '%s\n' "${regrows[@]}"
fi
if [ "${#callrows[@]}" -gt 0 ]; then
  echo
  echo "### Calls: INVITE…BYE to a SIPp UAS, ${DURATION}s"
  echo
  echo "$header"; echo "$sep"
  printf '%s\n' "${callrows[@]}"
fi
if [ "${#steerrows[@]}" -gt 0 ]; then
  echo
  echo "### CPU per 1k calls/s with media steering (proxy and relay on CPU $PROXY_CPU)"
  echo
  echo "| proxy + relay | achieved/s | ok | proxy CPU per 1k/s | relay CPU per 1k/s (CPU s) | sum | relay ng counters |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${steerrows[@]}"
fi
if [ "$FIND_MAX" = "1" ]; then
  echo
  echo "### Max sustained rate (no failures, ≥ 95 % of target)"
  echo
  echo "| proxy | REGISTER/s | calls/s |"; echo "|---|---|---|"
  printf '%s\n' "${maxrows[@]}"
fi
echo
echo "raw JSON: $OUT"
