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
# Steps: (1) `tandem perf compare` of the four targets, 1000 calls at 100k pps, BENCH_ROUNDS rounds; (1b) paired
# latency: tandem kernel and bare nftables forwarding at the same time, half the calls and rate each (BENCH_PAIRED=0
# skips it);
# (2) `perf rtp --find-max` per target (BENCH_FIND_MAX=1); (3) 10 vs 10,000 offloaded streams at one rate for the
# tandem kernel path and bare nftables (same map size), BENCH_SCALE_ROUNDS rounds in ABBA order, each run bounded
# by BENCH_SCALE_TIMEOUT s (BENCH_SCALE=0 skips it); (4) install rate: offloaded-stream gauge polled while 5000
# calls start (this measures ng set-up, first media and the offload checks together), then the netlink install alone
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

# Port ranges: the kernel path needs 4 ports per call for the 5000-call scaling step; the others 4 per call of $CALLS;
# bare-nft needs as many for the same step (it allocates 4 ports per call too).
declare -A RANGE=([tandem-kernel]="20000 40999" [bare-nft]="41000 61999" [tandem-user]="10000 14999" [rtpengine]="15000 19999")
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
if [ "${BENCH_COMPARE:-1}" = 1 ]; then  # BENCH_COMPARE=0 skips step 1 (e.g. for the scaling step alone)
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
fi

if [ "${BENCH_PAIRED:-1}" = 1 ] && [ -n "${NG[tandem-kernel]:-}" ] && [ -n "${NG[bare-nft]:-}" ]; then
  # Paired latency: tandem's kernel path and bare nftables forward *at the same time* on the same relay core, each
  # with half the calls and half the rate, from two generators on the generator core. Steps in alternation see
  # different minutes of a shared machine (bare nftables' own p99 moved from 66 µs to 5.9 ms between steps here);
  # paired runs see the same stalls, so the difference of their latencies is what the target adds. (CPU cannot be
  # split between two targets on one core: step 1 gives that.)
  echo "## paired latency: tandem kernel and bare nftables at the same time, $((CALLS / 2)) calls and $((RATE / 2)) pps each"
  echo
  echo "| round | tandem p50 | bare p50 | tandem p99 | bare p99 | tandem p99 − bare p99 | tandem p99.9 | bare p99.9 | loss tandem / bare |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
  for round in $(seq 1 "${BENCH_PAIRED_ROUNDS:-3}"); do
    paired_order="tandem-kernel bare-nft"
    [ $((round % 2)) = 0 ] && paired_order="bare-nft tandem-kernel"  # who starts first alternates
    for name in $paired_order; do
      "${GEN_RUN[@]}" rtp --relay "$RA:${NG[$name]}" --calls $((CALLS / 2)) --rate $((RATE / 2)) \
        --duration "${BENCH_PAIRED_DURATION:-12}" --warmup "${BENCH_PAIRED_WARMUP:-6}" --local-address "$GA" --cpu "$GEN_CPU" \
        --no-progress --json >"$OUT/paired-$round-$name.json" 2>"$OUT/paired-$round-$name.err" &
      eval "paired_${name//-/_}=\$!"
    done
    wait "$paired_tandem_kernel" || true
    wait "$paired_bare_nft" || true
    for name in tandem-kernel bare-nft; do jq -e . "$OUT/paired-$round-$name.json" >/dev/null 2>&1 || echo '{}' >"$OUT/paired-$round-$name.json"; done
    jq -rs --arg r "$round" 'def us: if . then (.*10|round/10|tostring) + " µs" else "-" end;
      def pct: if . then (.*10000|round/100|tostring) + " %" else "-" end;
      "| \($r) | \(.[0].latencyP50Microseconds|us) | \(.[1].latencyP50Microseconds|us) | \(.[0].latencyP99Microseconds|us) | " +
      "\(.[1].latencyP99Microseconds|us) | \(if .[0].latencyP99Microseconds and .[1].latencyP99Microseconds then ((.[0].latencyP99Microseconds - .[1].latencyP99Microseconds)|us) else "-" end) | " +
      "\(.[0].latencyP999Microseconds|us) | \(.[1].latencyP999Microseconds|us) | \(.[0].lossFraction|pct) / \(.[1].lossFraction|pct) |"' \
      "$OUT/paired-$round-tandem-kernel.json" "$OUT/paired-$round-bare-nft.json"
  done
  echo
fi

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

scale_targets=()
for name in tandem-kernel bare-nft; do [ -n "${NG[$name]:-}" ] && scale_targets+=("$name"); done
if [ "${#scale_targets[@]}" -gt 0 ] && [ "${BENCH_SCALE:-1}" = 1 ]; then
  # Each target's 10 and 10,000 runs are back to back, so its ratio compares runs close in time; the order flips
  # every round (ABBA: tandem 10, 10k, bare 10, 10k; then bare 10k, 10, tandem 10k, 10) so that a drifting machine
  # load favours neither. Each run is killed after BENCH_SCALE_TIMEOUT s (set-up of 5000 calls included).
  # Two figures per run:
  # - nftables time per forwarded packet (with perf): once the relay namespace forwards at >= 80 % of the rate
  #   (Ip ForwDatagrams in its /proc/net/snmp), 1 s later, `perf record -e cpu-clock` samples the relay core for
  #   3 s; samples whose call chain holds nft_do_chain (the table's two chains) × the period / datagrams forwarded in
  #   that window. Timer sampling sees softirq and does not depend on what else the shared core runs, unlike
  #   /proc/stat's tick-sampled softirq share (a busy core skews that one; BENCH_SCALE_PERF=0 skips the probe).
  # - relay process + core softirq per 10k pps, as in step 1.
  PERF_PERIOD_US="${BENCH_SCALE_PERF_PERIOD_US:-100}"
  probe=0
  [ "${BENCH_SCALE_PERF:-1}" = 1 ] && command -v perf >/dev/null && probe=1
  forwarded() { in_relay awk '$1=="Ip:" && $2 ~ /^[0-9]+$/ {print $7}' /proc/net/snmp; }
  nft_probe() {  # nft_probe FILE-PREFIX: waits for kernel forwarding, samples 3 s, writes "µs-per-packet packets"
    local before after=0 now start_wait
    start_wait=$(date +%s)
    before=$(forwarded)
    while sleep 0.2; do
      now=$(forwarded)
      [ $((now - before)) -ge $((SCALE_RATE * 16 / 100)) ] && break  # >= 80 % of the rate over 0.2 s
      before=$now
      [ $(($(date +%s) - start_wait)) -lt "${BENCH_SCALE_TIMEOUT:-300}" ] || { echo "0 0" >"$1.nft"; return; }
    done
    sleep 1
    before=$(forwarded)
    perf record -q -C "$RELAY_CPU" -e cpu-clock -c $((PERF_PERIOD_US * 1000)) -g -o "$1.perf" -- sleep 3 >/dev/null 2>&1 || true
    after=$(forwarded)
    perf script -i "$1.perf" -F ip,sym 2>/dev/null | awk -v RS= -v n=$((after - before)) -v us="$PERF_PERIOD_US" \
      '/nft_do_chain/ {k++} END {printf "%.3f %d\n", (n > 0 ? k * us / n : 0), n}' >"$1.nft"
    rm -f "$1.perf"
  }
  scale_run() {  # scale_run TARGET CALLS ROUND
    local prefix="$OUT/scale-$3-$1-$2" probe_pid=""
    if [ "$probe" = 1 ]; then nft_probe "$prefix" & probe_pid=$!; fi
    in_gen timeout "${BENCH_SCALE_TIMEOUT:-300}" taskset -c "$GEN_CPU" "$TANDEM" perf rtp --relay "$RA:${NG[$1]}" --calls "$2" --rate "$SCALE_RATE" \
      --duration 4 --warmup 2 --local-address "$GA" --cpu "$GEN_CPU" --relay-pid "${PID[$1]}" --relay-core "$RELAY_CPU" \
      --no-progress --json >"$prefix.json" 2>"$prefix.err" || true
    [ -z "$probe_pid" ] || wait "$probe_pid" || true
    jq -e . "$prefix.json" >/dev/null 2>&1 || echo '{}' >"$prefix.json"
    [ -s "$prefix.nft" ] || echo "0 0" >"$prefix.nft"
  }
  scale_value() {  # scale_value ROUND TARGET CALLS: "nft-µs forwarding loss" (0 when missing)
    local prefix="$OUT/scale-$1-$2-$3"
    echo "$(cut -d' ' -f1 "$prefix.nft") $(jq -r '"\(.relayForwardingPercentPer10kPps // 0) \((.lossFraction // 0) * 100)"' "$prefix.json")"
  }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN{if (a>0 && b>0) printf "%.2f", b/a; else print "-"}'; }
  echo "## kernel path: 10 vs 10,000 offloaded streams at ${SCALE_RATE} pps, ${scale_targets[*]}"
  echo
  echo "Cells: nftables µs per forwarded packet (perf cpu-clock samples in nft_do_chain; - without perf) · relay"
  echo "process + core softirq per 10k pps · loss. Ratios of the first figure, the second's in brackets."
  echo
  header="| round | order |" rule="|---|---|"
  for name in "${scale_targets[@]}"; do header+=" $name 10 | $name 10,000 | $name 10k/10 |"; rule+="---:|---:|---:|"; done
  if [ "${#scale_targets[@]}" = 2 ]; then header+=" tandem/bare 10 | tandem/bare 10,000 |"; rule+="---:|---:|"; fi
  echo "$header"
  echo "$rule"
  : >"$OUT/scale-ratios.txt"
  for r in $(seq 1 "$SCALE_ROUNDS"); do
    order=()
    if [ $((r % 2)) = 1 ]; then
      for name in "${scale_targets[@]}"; do order+=("$name:5" "$name:5000"); done
    else
      for ((i = ${#scale_targets[@]} - 1; i >= 0; i--)); do order+=("${scale_targets[$i]}:5000" "${scale_targets[$i]}:5"); done
    fi
    for step in "${order[@]}"; do scale_run "${step%%:*}" "${step##*:}" "$r"; done
    line="| $r | $( [ $((r % 2)) = 1 ] && echo "${scale_targets[*]}" || echo "reverse") |"
    declare -A few=() many=() fewf=() manyf=()
    for name in "${scale_targets[@]}"; do
      read -r na fa la <<<"$(scale_value "$r" "$name" 5)"
      read -r nb fb lb <<<"$(scale_value "$r" "$name" 5000)"
      few[$name]=$na many[$name]=$nb fewf[$name]=$fa manyf[$name]=$fb
      line+=" $(printf '%.2f µs · %.2f%% · %.2f%%' "$na" "$fa" "$la") | $(printf '%.2f µs · %.2f%% · %.2f%%' "$nb" "$fb" "$lb") |"
      line+=" $(ratio "$na" "$nb")× [$(ratio "$fa" "$fb")×] |"
      echo "$name $(ratio "$na" "$nb") $(ratio "$fa" "$fb")" >>"$OUT/scale-ratios.txt"
    done
    if [ "${#scale_targets[@]}" = 2 ]; then
      line+=" $(ratio "${few[bare-nft]}" "${few[tandem-kernel]}")× [$(ratio "${fewf[bare-nft]}" "${fewf[tandem-kernel]}")×] |"
      line+=" $(ratio "${many[bare-nft]}" "${many[tandem-kernel]}")× [$(ratio "${manyf[bare-nft]}" "${manyf[tandem-kernel]}")×] |"
    fi
    echo "$line"
  done
  echo
  median() { sort -g | awk '{v[++k]=$1} END {if (k) printf "%.2f× (min %.2f, max %.2f, %d rounds)", (k%2 ? v[(k+1)/2] : (v[k/2]+v[k/2+1])/2), v[1], v[k], k; else printf "-"}'; }
  for name in "${scale_targets[@]}"; do
    echo "- $name, 10,000/10 streams: nftables per packet $(awk -v n="$name" '$1==n && $2!="-" {print $2}' "$OUT/scale-ratios.txt" | median);" \
      "relay + softirq $(awk -v n="$name" '$1==n && $3!="-" {print $3}' "$OUT/scale-ratios.txt" | median)"
  done
  echo
fi

if [ -n "${NG[tandem-kernel]:-}" ] && [ "${BENCH_SCALE:-1}" = 1 ]; then
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
