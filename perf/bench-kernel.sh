#!/usr/bin/env bash
# Kernel-path benchmark (issue 4): tandem --kernel require vs tandem userspace vs bare nftables (same table shape,
# no daemon: `tandem perf nat-target`) vs rtpengine userspace, side by side in one run, over real forwarding.
#
#   sudo perf/bench-kernel.sh
#   BENCH_ROUNDS=5 BENCH_FIND_MAX=0 perf/bench-kernel.sh
#
# Topology: namespace tkb-gen (the generator, 10.77.9.2) —veth— namespace tkb-relay (every relay, 10.77.9.1).
# Packets go gen → relay → back to gen on the same veth (a hairpin), so the relay namespace really forwards:
# prerouting, routing, postrouting. RPS steers the relay side's receive processing to BENCH_RELAY_CPU (1) and the
# generator side's to BENCH_GEN_CPU (0); every relay is pinned to BENCH_RELAY_CPU and the generator to
# BENCH_GEN_CPU. The figure compared is the busy time of the relay's core per 10k pps (process + softirq), because
# offloaded forwarding runs in softirq where no process CPU sees it.
#
# Steps: (1) `tandem perf compare` of the four targets, 1000 calls at 100k pps, BENCH_ROUNDS rounds;
# (2) `perf rtp --find-max` per target (BENCH_FIND_MAX=1); (3) tandem kernel path with 10 vs 10,000 offloaded
# streams at one rate, alternating; (4) install rate: offloaded-stream gauge polled while 5000 calls start (this
# measures ng set-up, first media and the offload checks together), then the netlink install alone
# (`tandem perf kernel-install`: 10,000 directions in batches of 1000 into a scratch table).
# Markdown on stdout, JSON and HTML reports in $BENCH_OUT. Everything it creates is removed on exit.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TANDEM="${TANDEM:-$ROOT/.build/release/tandem}"
ROUNDS="${BENCH_ROUNDS:-3}"
CALLS="${BENCH_CALLS:-1000}"
RATE="${BENCH_RATE:-100000}"
FIND_START="${BENCH_FIND_START:-$RATE}"
DURATION="${BENCH_DURATION:-5}"
WARMUP="${BENCH_WARMUP:-1}"
FIND_MAX="${BENCH_FIND_MAX:-1}"
PROBES="${BENCH_PROBES:-5}"
SCALE_RATE="${BENCH_SCALE_RATE:-20000}"
SCALE_ROUNDS="${BENCH_SCALE_ROUNDS:-3}"
RELAY_CPU="${BENCH_RELAY_CPU:-1}"
GEN_CPU="${BENCH_GEN_CPU:-0}"
TARGETS="${BENCH_TARGETS:-tandem-kernel tandem-user bare-nft rtpengine}"
OUT="${BENCH_OUT:-/tmp/tandem-bench-kernel-$$}"
GEN=tkb-gen RELAY=tkb-relay GA=10.77.9.2 RA=10.77.9.1
mkdir -p "$OUT"

[ "$(id -u)" = 0 ] || { echo "bench-kernel: needs root (namespaces, nftables)" >&2; exit 1; }
command -v jq >/dev/null || { echo "bench-kernel: needs jq" >&2; exit 1; }
[ -x "$TANDEM" ] || (cd "$ROOT" && swift build -c release --product tandem >/dev/null)

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null || true
  done
  ip netns del "$GEN" 2>/dev/null || true
  ip netns del "$RELAY" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

in_gen() { ip netns exec "$GEN" "$@"; }
in_relay() { ip netns exec "$RELAY" "$@"; }

cleanup
ip netns add "$GEN"
ip netns add "$RELAY"
ip link add tkb-g type veth peer name tkb-r
ip link set tkb-g netns "$GEN"
ip link set tkb-r netns "$RELAY"
in_gen ip addr add "$GA/24" dev tkb-g
in_relay ip addr add "$RA/24" dev tkb-r
for ns in "$GEN" "$RELAY"; do ip -n "$ns" link set lo up; done
in_gen ip link set tkb-g up
in_relay ip link set tkb-r up
in_relay sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.tkb-r.send_redirects=0 \
  net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.tkb-r.rp_filter=0
# Receive processing: the relay side on the relay's core, the generator side on the generator's core.
in_relay sh -c "printf '%x' $((1 << RELAY_CPU)) > /sys/class/net/tkb-r/queues/rx-0/rps_cpus"
in_gen sh -c "printf '%x' $((1 << GEN_CPU)) > /sys/class/net/tkb-g/queues/rx-0/rps_cpus"

ng_ping() {  # ng_ping PORT: a pong from the relay namespace
  in_gen timeout 1 bash -c "exec 3<>/dev/udp/$RA/$1; printf 'p1 d7:command4:pinge' >&3; dd bs=512 count=1 status=none <&3" 2>/dev/null | grep -q pong
}

declare -A NG PID
start() {  # start NAME NGPORT PORTMIN PORTMAX
  local name=$1 port=$2 lo=$3 hi=$4 log="$OUT/$1.log"
  case "$name" in
    tandem-kernel|tandem-user)
      local mode=off table=tkb_user
      [ "$name" = tandem-kernel ] && mode=require && table=tkb_kernel
      ip netns exec "$RELAY" taskset -c "$RELAY_CPU" "$TANDEM" relay --interface "$RA" --listen-ng "$RA:$port" --port-min "$lo" \
        --port-max "$hi" --num-threads 1 --kernel "$mode" --kernel-table "$table" --delete-delay 0 \
        --listen-metrics "$RA:$((port + 7000))" --data-dir "$OUT/$name-data" >"$log" 2>&1 & ;;
    bare-nft)
      ip netns exec "$RELAY" taskset -c "$RELAY_CPU" "$TANDEM" perf nat-target --listen-ng "$RA:$port" --address "$RA" \
        --port-min "$lo" --port-max "$hi" --table tkb_bare >"$log" 2>&1 & ;;
    rtpengine)
      command -v rtpengine >/dev/null || { echo "bench-kernel: rtpengine not installed, skipped" >&2; return 1; }
      ip netns exec "$RELAY" taskset -c "$RELAY_CPU" rtpengine --config-file=none --foreground --table=-1 --interface="$RA" \
        --listen-ng="$RA:$port" --port-min="$lo" --port-max="$hi" --num-threads=2 --delete-delay=0 \
        --log-stderr --log-level=3 >"$log" 2>&1 & ;;
  esac
  PID[$name]=$!  # ip netns exec and taskset exec, so this is the relay's own pid (its CPU is read from /proc)
  pids+=("$!")
  NG[$name]=$port
  for _ in $(seq 1 80); do ng_ping "$port" && return 0; sleep 0.1; done
  echo "bench-kernel: $name did not answer ng (see $log)" >&2
  return 1
}

# Port ranges: the kernel path needs 4 ports per call for the 5000-call scaling step; the others 4 per call of $CALLS.
declare -A RANGE=([tandem-kernel]="20000 44999" [tandem-user]="45000 49999" [bare-nft]="50000 54999" [rtpengine]="55000 59999")
port=2231
targets=()
for name in $TARGETS; do
  read -r lo hi <<<"${RANGE[$name]}"
  if start "$name" "$port" "$lo" "$hi"; then
    targets+=(--target "$name=$RA:$port,pid=${PID[$name]},core=$RELAY_CPU")
  fi
  port=$((port + 1))
done
echo "bench-kernel: targets ${targets[*]}" >&2

GEN_RUN=(in_gen taskset -c "$GEN_CPU" "$TANDEM" perf)
echo "## $CALLS calls, ${RATE} pps, ${ROUNDS} rounds in alternation (relay core busy includes softirq forwarding)"
echo
"${GEN_RUN[@]}" compare "${targets[@]}" --workload rtp --calls "$CALLS" --rate "$RATE" --duration "$DURATION" \
  --warmup "$WARMUP" --rounds "$ROUNDS" --local-address "$GA" --cpu "$GEN_CPU" --no-progress \
  --report "$OUT/compare.html" --json >"$OUT/compare.json" 2>"$OUT/compare.err" || true
jq -r '.metrics[] | "| \(.metric) (\(.unit)) | " + ([.summaries[] | if . then (.median*100|round/100|tostring) else "-" end] | join(" | ")) + " | " +
  ([.ratios[1:][] | if . then "\(.median*100|round/100)× [\(.min*100|round/100)–\(.max*100|round/100)]" else "-" end] | join(" | ")) + " |"' \
  "$OUT/compare.json" > "$OUT/compare.md" || true
echo "| metric | $(jq -r '.targets | join(" | ")' "$OUT/compare.json") | $(jq -r '.targets[0] as $b | .targets[1:] | map(. + " / " + $b) | join(" | ")' "$OUT/compare.json") |"
echo "|---|$(jq -r '[.targets[], .targets[1:][]] | map("---:") | join("|")' "$OUT/compare.json")|"
cat "$OUT/compare.md"
echo

if [ "$FIND_MAX" = 1 ]; then
  echo "## max-rate search (fresh calls per probe, loss < 1%, p99 < 10 ms)"
  echo
  echo "| target | max passing pps | probes |"
  echo "|---|---:|---|"
  for name in $TARGETS; do
    [ -n "${NG[$name]:-}" ] || continue
    "${GEN_RUN[@]}" rtp --relay "$RA:${NG[$name]}" --calls "$CALLS" --rate "$FIND_START" --duration 3 --warmup "$WARMUP" \
      --local-address "$GA" --cpu "$GEN_CPU" --relay-pid "${PID[$name]}" --relay-core "$RELAY_CPU" --find-max \
      --max-probes "$PROBES" --max-rate 1000000 --no-progress --report "$OUT/findmax-$name.html" --json \
      >"$OUT/findmax-$name.json" 2>"$OUT/findmax-$name.err" || echo '{}' >"$OUT/findmax-$name.json"
    jq -r --arg n "$name" '"| \($n) | \(if .maxRate then (.maxRate|floor|tostring) else "none" end) | " +
      ([.probes[]? | "\(.rate|floor): \(.verdict)\(if .report.relayForwardingPercentPer10kPps then ", fwd " + (.report.relayForwardingPercentPer10kPps*100|round/100|tostring) + "%/10k" else "" end)"] | join(" · ")) + " |"' \
      "$OUT/findmax-$name.json"
  done
  echo
fi

if [ -n "${NG[tandem-kernel]:-}" ] && [ "${BENCH_SCALE:-1}" = 1 ]; then
  echo "## tandem kernel path: 10 vs 10,000 offloaded streams at ${SCALE_RATE} pps (relay + core softirq per 10k pps)"
  echo
  echo "| round | 10 streams | 10,000 streams | ratio |"
  echo "|---|---:|---:|---:|"
  for r in $(seq 1 "$SCALE_ROUNDS"); do
    for calls in 5 5000; do
      "${GEN_RUN[@]}" rtp --relay "$RA:${NG[tandem-kernel]}" --calls "$calls" --rate "$SCALE_RATE" --duration 4 --warmup 2 \
        --local-address "$GA" --cpu "$GEN_CPU" --relay-pid "${PID[tandem-kernel]}" --relay-core "$RELAY_CPU" \
        --no-progress --json >"$OUT/scale-$r-$calls.json" 2>"$OUT/scale-$r-$calls.err" || echo '{}' >"$OUT/scale-$r-$calls.json"
    done
    a=$(jq -r '.relayForwardingPercentPer10kPps // 0' "$OUT/scale-$r-5.json")
    b=$(jq -r '.relayForwardingPercentPer10kPps // 0' "$OUT/scale-$r-5000.json")
    echo "| $r | $(printf '%.2f' "$a")% (loss $(jq -r '(.lossFraction // 0)*100' "$OUT/scale-$r-5.json")%) | $(printf '%.2f' "$b")% (loss $(jq -r '(.lossFraction // 0)*100' "$OUT/scale-$r-5000.json")%) | $(awk -v a="$a" -v b="$b" 'BEGIN{if (a>0) printf "%.2f", b/a; else print "-"}') |"
  done
  echo

  echo "## install rate (tandem kernel path, 5000 calls = 10,000 stream directions)"
  echo
  metrics="http://$RA:$((NG[tandem-kernel] + 7000))/metrics"
  offloaded() { in_relay curl -s --max-time 1 "$metrics" | awk '$1=="tandem_relay_kernel_offloaded_streams"{print int($2)}'; }
  "${GEN_RUN[@]}" rtp --relay "$RA:${NG[tandem-kernel]}" --calls 5000 --rate 100000 --duration 6 --local-address "$GA" \
    --cpu "$GEN_CPU" --no-progress --json >"$OUT/install.json" 2>"$OUT/install.err" &
  gen=$!
  first="" last="" top=0
  for _ in $(seq 1 600); do
    n=$(offloaded || echo 0); n=${n:-0}
    now=$(date +%s.%N)
    if [ "$n" -gt 0 ] && [ -z "$first" ]; then first=$now; fi
    if [ "$n" -gt "$top" ]; then top=$n; last=$now; fi
    kill -0 "$gen" 2>/dev/null || break
    sleep 0.02
  done
  wait "$gen" || true
  if [ -n "$first" ] && [ -n "$last" ]; then
    awk -v n="$top" -v a="$first" -v b="$last" 'BEGIN{d=b-a; printf "offloaded %d stream directions; first to last install %.2f s: %s directions/s\n", n, d, (d>0? sprintf("%.0f", n/d) : "all within one poll (>= " int(n/0.02) ")")}'
  else
    echo "no offloaded streams seen on $metrics"
  fi
  echo
  echo "netlink install alone (10,000 directions, batches of 1000, scratch table in the relay namespace):"
  echo
  in_relay taskset -c "$RELAY_CPU" "$TANDEM" perf kernel-install --entries 10000 --batch 1000 --table tkb_install || true
fi
echo
echo "raw JSON and HTML reports: $OUT"
